import type { ServiceTokenResponse } from "@ensign/contracts/access-tokens";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey } from "../../../lib/query-keys";
import { serviceTokensKey } from "./get-service-tokens";

export const revokeServiceToken = (ws: string, id: string) => api<ServiceTokenResponse>(`/v1/workspaces/${ws}/service-tokens/${id}`, { method: "DELETE" });

export function useRevokeServiceToken(ws: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => revokeServiceToken(ws, id),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: serviceTokensKey(ws) }), queryClient.invalidateQueries({ queryKey: auditKey(ws) })]),
  });
}
