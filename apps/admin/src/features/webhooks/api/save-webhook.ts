import type { CreateWebhookBody, UpdateWebhookBody, WebhookWithSecretResponse } from "@ensign/contracts/webhooks";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import { api } from "../../../lib/api-client";
import { auditKey } from "../../../lib/query-keys";
import { webhooksKey } from "./get-webhooks";

/** The body as sent: defaults (kind, filters, digest) may be left out. */
export type CreateWebhookInput = z.input<typeof CreateWebhookBody>;

export const createWebhook = (ws: string, body: CreateWebhookInput) => api<WebhookWithSecretResponse>(`/v1/workspaces/${ws}/webhooks`, { method: "POST", body });
export const updateWebhook = (ws: string, id: string, body: UpdateWebhookBody) => api<WebhookWithSecretResponse>(`/v1/workspaces/${ws}/webhooks/${id}`, { method: "PATCH", body });
export const deleteWebhook = (ws: string, id: string) => api<null>(`/v1/workspaces/${ws}/webhooks/${id}`, { method: "DELETE" });

function useInvalidate(ws: string) {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: webhooksKey(ws) }), queryClient.invalidateQueries({ queryKey: auditKey(ws) })]);
}

export function useCreateWebhook(ws: string) {
  const invalidate = useInvalidate(ws);
  return useMutation({ mutationFn: (body: CreateWebhookInput) => createWebhook(ws, body), meta: { silent: true }, onSuccess: invalidate });
}

export function useUpdateWebhook(ws: string) {
  const invalidate = useInvalidate(ws);
  return useMutation({ mutationFn: ({ id, body }: { id: string; body: UpdateWebhookBody }) => updateWebhook(ws, id, body), meta: { silent: true }, onSuccess: invalidate });
}

export function useDeleteWebhook(ws: string) {
  const invalidate = useInvalidate(ws);
  return useMutation({ mutationFn: (id: string) => deleteWebhook(ws, id), onSuccess: invalidate });
}
