import type { ContextSecretResponse } from "@ensign/contracts/environments";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { workspacesKey } from "../../../lib/query-keys";

/** Read on demand only (never cached): the secret signs context tokens. */
export const getContextSecret = (ws: string, env: string) => api<ContextSecretResponse>(`/v1/workspaces/${ws}/environments/${env}/context-secret`);
export const rotateContextSecret = (ws: string, env: string) => api<ContextSecretResponse>(`/v1/workspaces/${ws}/environments/${env}/context-secret/rotate`, { method: "POST" });

export const useRevealContextSecret = (ws: string) => useMutation({ mutationFn: (env: string) => getContextSecret(ws, env) });

export function useRotateContextSecret(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (env: string) => rotateContextSecret(ws, env), onSuccess: () => queryClient.invalidateQueries({ queryKey: workspacesKey }) });
}
