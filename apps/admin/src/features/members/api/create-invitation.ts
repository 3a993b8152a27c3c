import type { CreatedInvitationResponse, CreateInvitationBody } from "@ensign/contracts/invitations";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { invitationsKey } from "./get-invitations";

export const createInvitation = (ws: string, body: CreateInvitationBody) => api<CreatedInvitationResponse>(`/v1/workspaces/${ws}/invitations`, { method: "POST", body });

export function useCreateInvitation(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateInvitationBody) => createInvitation(ws, body),
    // The dialog says what went wrong beside the fields.
    meta: { silent: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsKey(ws) }),
  });
}
