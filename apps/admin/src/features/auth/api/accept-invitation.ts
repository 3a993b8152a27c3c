import type { AcceptedInvitationResponse, AcceptInvitationAsNewUserBody } from "@ensign/contracts/invitations";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { sessionQueryOptions } from "../../../lib/auth";

export const acceptInvitationAsNewUser = (body: AcceptInvitationAsNewUserBody) =>
  api<AcceptedInvitationResponse>("/v1/invitations/accept-new", { method: "POST", body });

export const acceptInvitation = (token: string) => api<AcceptedInvitationResponse>("/v1/invitations/accept", { method: "POST", body: { token } });

/** The page says what went wrong in place; a toast would say it twice. */
export const useAcceptInvitationAsNewUser = () => useMutation({ mutationFn: acceptInvitationAsNewUser, meta: { silent: true } });

/** Accepting adds a workspace to the signed-in user's: the session's memberships are read again. */
export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acceptInvitation,
    meta: { silent: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionQueryOptions().queryKey }),
  });
}
