import type { DeliveryPage, DeliveryStatus } from "@ensign/contracts/webhooks";
import { keepPreviousData, queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { webhooksKey } from "./get-webhooks";

export interface DeliveriesFilter {
  status?: DeliveryStatus;
  cursor?: string;
}

export const deliveriesKey = (ws: string, id: string) => [...webhooksKey(ws), "deliveries", id] as const;

export function getDeliveries(ws: string, id: string, filter: DeliveriesFilter) {
  const params = new URLSearchParams({ limit: "50" });
  if (filter.status) params.set("status", filter.status);
  if (filter.cursor) params.set("cursor", filter.cursor);
  return api<DeliveryPage>(`/v1/workspaces/${ws}/webhooks/${id}/deliveries?${params}`);
}

/** The delivery log, refreshed while it is open: deliveries move on their own. */
export const getDeliveriesQueryOptions = (ws: string, id: string, filter: DeliveriesFilter) =>
  queryOptions({ queryKey: [...deliveriesKey(ws, id), filter], queryFn: () => getDeliveries(ws, id, filter), placeholderData: keepPreviousData, refetchInterval: 5_000 });

export const useDeliveries = (ws: string, id: string, filter: DeliveriesFilter) => useQuery(getDeliveriesQueryOptions(ws, id, filter));
