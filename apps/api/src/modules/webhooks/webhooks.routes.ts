import { WorkspaceParams } from "@ensign/contracts/workspaces";
import {
  CreateWebhookBody,
  DeliveriesQuery,
  DeliveryPage,
  DeliveryParams,
  DeliveryResponse,
  UpdateWebhookBody,
  WebhookParams,
  WebhookResponse,
  WebhookWithSecretResponse,
} from "@ensign/contracts/webhooks";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../infra/audit";
import { scopeOf } from "../../infra/auth";

const security = [{ bearerAuth: [] }];
const tags = ["webhooks"];

/** `/v1/workspaces/:workspace/webhooks`: webhooks, Slack and e-mail notifications, and their delivery log (`webhooks:manage`). */
export async function webhooksRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const webhooks = app.services.webhooks;
  const guard = { onRequest: [app.requireCapability("webhooks:manage")] };

  r.get(
    "/:workspace/webhooks",
    { ...guard, schema: { tags, operationId: "listWebhooks", summary: "The workspace's webhooks and notifications (never their secrets)", security, params: WorkspaceParams, response: { 200: z.object({ items: z.array(WebhookResponse) }) } } },
    async (request) => ({ items: await webhooks.list(scopeOf(request).workspaceId) }),
  );

  r.post(
    "/:workspace/webhooks",
    {
      ...guard,
      schema: {
        tags,
        operationId: "createWebhook",
        summary: "Create a webhook, a Slack notification or an e-mail notification",
        description:
          "`kind` is `webhook` (a signed JSON POST per event), `slack` (a Block Kit message to an incoming-webhook URL) or `email` (to `recipients`, at once or as an hourly or daily `digest`). " +
          "Filters (`eventTypes`, `environments`, `flags`, `tenants`) narrow what is sent; empty lists send everything. A webhook without `secret` gets a generated one, shown in this answer only. " +
          "URLs that resolve to loopback, private or link-local addresses are refused unless OUTBOUND_ALLOW lists them. The webhook receives events committed after it.",
        security,
        params: WorkspaceParams,
        body: CreateWebhookBody,
        response: { 201: WebhookWithSecretResponse },
      },
    },
    async (request, reply) => {
      const created = await webhooks.create(scopeOf(request).workspaceId, request.body, actorOf(request));
      return reply.code(201).header("cache-control", "no-store").send(created);
    },
  );

  r.get(
    "/:workspace/webhooks/:id",
    { ...guard, schema: { tags, operationId: "getWebhook", summary: "One webhook or notification", security, params: WebhookParams, response: { 200: WebhookResponse } } },
    async (request) => webhooks.get(scopeOf(request).workspaceId, request.params.id),
  );

  r.patch(
    "/:workspace/webhooks/:id",
    {
      ...guard,
      schema: {
        tags,
        operationId: "updateWebhook",
        summary: "Change a webhook or notification",
        description: "Missing fields stay as they are. `rotateSecret: true` makes a new secret, shown in this answer only; `secret` sets one.",
        security,
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookWithSecretResponse },
      },
    },
    async (request, reply) => {
      const updated = await webhooks.update(scopeOf(request).workspaceId, request.params.id, request.body, actorOf(request));
      return reply.header("cache-control", "no-store").send(updated);
    },
  );

  r.delete(
    "/:workspace/webhooks/:id",
    { ...guard, schema: { tags, operationId: "deleteWebhook", summary: "Delete a webhook or notification and its delivery log", security, params: WebhookParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await webhooks.remove(scopeOf(request).workspaceId, request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    "/:workspace/webhooks/:id/deliveries",
    {
      ...guard,
      schema: {
        tags,
        operationId: "listWebhookDeliveries",
        summary: "The delivery log: each event sent, its status, the receiver's answer and the latency, newest first",
        security,
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage },
      },
    },
    async (request) => webhooks.deliveries(scopeOf(request).workspaceId, request.params.id, request.query),
  );

  r.post(
    "/:workspace/webhooks/:id/deliveries/:delivery/redeliver",
    {
      ...guard,
      schema: {
        tags,
        operationId: "redeliverWebhookDelivery",
        summary: "Send a delivered or failed event again",
        description: "The event goes again with the same id (and idempotency key), retried like a new delivery. A delivery still being attempted answers 409.",
        security,
        params: DeliveryParams,
        response: { 200: DeliveryResponse },
      },
    },
    async (request) => webhooks.redeliver(scopeOf(request).workspaceId, request.params.id, request.params.delivery, actorOf(request)),
  );
}
