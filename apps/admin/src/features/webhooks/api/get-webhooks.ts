import type { WebhookResponse } from "@ensign/contracts/webhooks";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { api } from "../../../lib/api-client";
import { wsKey } from "../../../lib/query-keys";

/** Everything about the workspace's webhooks: the list, each one, and each delivery log. */
export const webhooksKey = (ws: string) => [...wsKey(ws), "webhooks"] as const;

export const getWebhooks = (ws: string) => api<{ items: WebhookResponse[] }>(`/v1/workspaces/${ws}/webhooks`);

export const getWebhooksQueryOptions = (ws: string) => queryOptions({ queryKey: [...webhooksKey(ws), "list"], queryFn: () => getWebhooks(ws) });

export const useWebhooks = (ws: string) => useQuery(getWebhooksQueryOptions(ws));

export const getWebhook = (ws: string, id: string) => api<WebhookResponse>(`/v1/workspaces/${ws}/webhooks/${id}`);

export const getWebhookQueryOptions = (ws: string, id: string) => queryOptions({ queryKey: [...webhooksKey(ws), "detail", id], queryFn: () => getWebhook(ws, id) });

export const useWebhook = (ws: string, id: string) => useQuery(getWebhookQueryOptions(ws, id));
