import type { InvitationInfo } from "@ensign/contracts/invitations";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";

export const lookupInvitation = (token: string) => api<InvitationInfo>("/v1/invitations/lookup", { method: "POST", body: { token } });

export const invitationQueryOptions = (token: string) =>
  queryOptions({ queryKey: ["links", "invitation", token], queryFn: () => lookupInvitation(token), retry: false, staleTime: Number.POSITIVE_INFINITY });

export const useInvitation = (token: string) => useQuery(invitationQueryOptions(token));
