import type { CreatedServiceTokenResponse, CreateServiceTokenBody } from "@ensign/contracts/access-tokens";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey } from "../../../lib/query-keys";
import { serviceTokensKey } from "./get-service-tokens";

export const createServiceToken = (ws: string, body: CreateServiceTokenBody) => api<CreatedServiceTokenResponse>(`/v1/workspaces/${ws}/service-tokens`, { method: "POST", body });

export function useCreateServiceToken(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateServiceTokenBody) => createServiceToken(ws, body),
    meta: { silent: true },
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: serviceTokensKey(ws) }), queryClient.invalidateQueries({ queryKey: auditKey(ws) })]),
  });
}
