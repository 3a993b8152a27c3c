import type { Page } from "@ensign/contracts/common";
import type { InvitationResponse } from "@ensign/contracts/invitations";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

export const invitationsKey = (ws: string) => [...wsKey(ws), "invitations"] as const;

/** Pending invitations: email, role and expiry, nothing of any account behind the email. */
export const getPendingInvitations = (ws: string) => api<Page<InvitationResponse>>(`/v1/workspaces/${ws}/invitations`, { query: { status: "pending", pageSize: 200 } });

export const getPendingInvitationsQueryOptions = (ws: string) =>
  queryOptions({ queryKey: [...invitationsKey(ws), "list", "pending"], queryFn: () => getPendingInvitations(ws) });

export const usePendingInvitations = (ws: string) => useQuery(getPendingInvitationsQueryOptions(ws));
