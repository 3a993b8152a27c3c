import type { DeliveryResponse } from "@ensign/contracts/webhooks";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { auditKey } from "../../../lib/query-keys";
import { webhooksKey } from "./get-webhooks";

export const redeliver = (ws: string, id: string, delivery: string) =>
  api<DeliveryResponse>(`/v1/workspaces/${ws}/webhooks/${id}/deliveries/${delivery}/redeliver`, { method: "POST" });

export function useRedeliver(ws: string, id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (delivery: string) => redeliver(ws, id, delivery),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: webhooksKey(ws) }), queryClient.invalidateQueries({ queryKey: auditKey(ws) })]),
  });
}
