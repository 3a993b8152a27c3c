import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { invitationsKey } from "./get-invitations";

export const revokeInvitation = (ws: string, id: string) => api<void>(`/v1/workspaces/${ws}/invitations/${id}`, { method: "DELETE" });

export function useRevokeInvitation(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (id: string) => revokeInvitation(ws, id), onSuccess: () => queryClient.invalidateQueries({ queryKey: invitationsKey(ws) }) });
}
