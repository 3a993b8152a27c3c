import type { ApiKeyResponse } from "@ensign/contracts/api-keys";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { apiKeysKey } from "./get-api-keys";

export const revokeApiKey = (ws: string, env: string, id: string) => api<ApiKeyResponse>(`/v1/workspaces/${ws}/environments/${env}/api-keys/${id}/revoke`, { method: "POST" });

export function useRevokeApiKey(ws: string, env: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (id: string) => revokeApiKey(ws, env, id), onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKey(ws, env) }) });
}
