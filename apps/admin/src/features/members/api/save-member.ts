import type { MemberResponse, UpdateMemberBody } from "@ensign/contracts/members";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { membersKey } from "./get-members";

export const updateMember = (ws: string, id: string, version: number, body: UpdateMemberBody) => api<MemberResponse>(`/v1/workspaces/${ws}/members/${id}`, { method: "PATCH", body, version });
export const removeMember = (ws: string, id: string, version: number) => api<void>(`/v1/workspaces/${ws}/members/${id}`, { method: "DELETE", version });

function useMemberMutation<T, R>(ws: string, fn: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => queryClient.invalidateQueries({ queryKey: membersKey(ws) }) });
}

export const useUpdateMember = (ws: string) => useMemberMutation(ws, (input: { id: string; version: number; body: UpdateMemberBody }) => updateMember(ws, input.id, input.version, input.body));
export const useRemoveMember = (ws: string) => useMemberMutation(ws, (input: { id: string; version: number }) => removeMember(ws, input.id, input.version));
