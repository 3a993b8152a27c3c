import type { CreateApiKeyBody, CreatedApiKeyResponse } from "@ensign/contracts/api-keys";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { apiKeysKey } from "./get-api-keys";

export const createApiKey = (ws: string, env: string, body: CreateApiKeyBody) =>
  api<CreatedApiKeyResponse>(`/v1/workspaces/${ws}/environments/${env}/api-keys`, { method: "POST", body });

export function useCreateApiKey(ws: string, env: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiKeyBody) => createApiKey(ws, env, body),
    meta: { silent: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKey(ws, env) }),
  });
}
