import type { CreateWebhookBody, DeliveriesQuery, DeliveryPage, DeliveryResponse, UpdateWebhookBody, WebhookResponse, WebhookWithSecretResponse } from "@ensign/contracts/webhooks";
import { changes, type Actor } from "../../infra/audit";
import type { Reader, Tx } from "../../infra/db/scoped";
import type { Writer } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { outboundUrlProblem, type OutboundPolicy } from "../../infra/outbound";
import { iso, isoOrNull } from "../../infra/paging";
import type { Sealer } from "../snapshots/sealing";
import { generateWebhookSecret } from "./signing";
import type { DeliveryCounts, DeliveryRow, WebhookRow, WebhooksRepository } from "./webhooks.repository";

/**
 * A URL as the audit log shows it. Audit entries become events that other webhooks receive, so
 * what may grant access stays out: a Slack incoming-webhook URL's path is its secret, and an
 * endpoint's query string or credentials may carry a token.
 */
export function auditedUrl(kind: string, url: string | null): string | null {
  if (!url) return null;
  const parsed = new URL(url);
  return kind === "slack" ? `${parsed.origin}/…` : `${parsed.origin}${parsed.pathname}${parsed.search ? "?…" : ""}`;
}

/** What the audit log (and so the outbox) keeps of a webhook: never its secret, nor the secret parts of its URL. */
function audited(row: Pick<WebhookRow, "kind" | "name" | "url" | "recipients" | "digest" | "eventTypes" | "environments" | "flags" | "tenants" | "enabled">) {
  return {
    kind: row.kind,
    name: row.name,
    url: auditedUrl(row.kind, row.url),
    recipients: row.recipients,
    digest: row.digest,
    eventTypes: row.eventTypes,
    environments: row.environments,
    flags: row.flags,
    tenants: row.tenants,
    enabled: row.enabled,
  };
}

function toResponse(row: WebhookRow, counts: DeliveryCounts = { pending: 0, failed: 0 }): WebhookResponse {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    url: row.url,
    signed: row.secretSealed !== null,
    recipients: row.recipients,
    digest: row.digest,
    eventTypes: row.eventTypes,
    environments: row.environments,
    flags: row.flags,
    tenants: row.tenants,
    enabled: row.enabled,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    ...counts,
  };
}

function toDeliveryResponse(row: DeliveryRow): DeliveryResponse {
  return {
    id: String(row.id),
    eventId: String(row.eventId),
    eventType: row.event.type,
    status: row.status,
    attempts: row.attempts,
    responseStatus: row.responseStatus,
    latencyMs: row.latencyMs,
    error: row.error,
    createdAt: iso(row.createdAt),
    lastAttemptAt: isoOrNull(row.lastAttemptAt),
    nextAttemptAt: row.status === "pending" ? iso(row.nextAttemptAt) : null,
    completedAt: isoOrNull(row.completedAt),
  };
}

export interface WebhooksServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: WebhooksRepository;
  sealer: Sealer;
  outbound: OutboundPolicy;
  /** Whether e-mail can be sent (SMTP_URL is set). */
  emailEnabled: boolean;
  retryForMs: number;
  now?: () => Date;
}

/** The settings a webhook ends up with, checked as a whole: each kind needs its own fields. */
async function checkSettings(
  settings: { kind: string; url: string | null; recipients: string[]; secret?: string | undefined },
  { outbound, emailEnabled }: Pick<WebhooksServiceDeps, "outbound" | "emailEnabled">,
): Promise<void> {
  if (settings.kind === "email") {
    if (!emailEnabled) throw invalid("E-mail notifications need an SMTP server: set SMTP_URL (docs/operations.md).", [{ path: "body.kind", message: "e-mail is not set up on this server" }]);
    if (settings.recipients.length === 0) throw invalid("An e-mail notification needs at least one recipient.", [{ path: "body.recipients", message: "must list at least one address" }]);
    if (settings.url) throw invalid("An e-mail notification has no URL.", [{ path: "body.url", message: "must be left out for e-mail" }]);
    if (settings.secret) throw invalid("An e-mail notification has no signing secret.", [{ path: "body.secret", message: "must be left out for e-mail" }]);
    return;
  }
  if (!settings.url) throw invalid(`A ${settings.kind} needs a URL.`, [{ path: "body.url", message: "is required" }]);
  if (settings.recipients.length > 0) throw invalid("Only e-mail notifications have recipients.", [{ path: "body.recipients", message: "must be left out" }]);
  if (settings.kind === "slack" && settings.secret) throw invalid("Slack messages are not signed; the incoming-webhook URL is the secret.", [{ path: "body.secret", message: "must be left out for Slack" }]);
  const problem = await outboundUrlProblem(settings.url, outbound);
  if (problem) throw invalid(`The URL cannot be used: ${problem}. Set OUTBOUND_ALLOW to reach an on-premises receiver.`, [{ path: "body.url", message: problem }]);
}

/** Webhooks and notifications of a workspace, and their delivery log. */
export function createWebhooksService({ reading, writing, repo, sealer, outbound, emailEnabled, retryForMs, now = () => new Date() }: WebhooksServiceDeps) {
  async function find(tx: Tx, workspaceId: string, id: string): Promise<WebhookRow> {
    const row = await repo.find(tx, workspaceId, id);
    if (!row) throw notFound("The webhook");
    return row;
  }

  return {
    async list(workspaceId: string): Promise<WebhookResponse[]> {
      return reading(workspaceId, async (tx) => {
        const rows = await repo.list(tx, workspaceId);
        const byId = await repo.counts(tx, workspaceId, rows.map((row) => row.id));
        return rows.map((row) => toResponse(row, byId.get(row.id)));
      });
    },

    async get(workspaceId: string, id: string): Promise<WebhookResponse> {
      return reading(workspaceId, async (tx) => {
        const row = await find(tx, workspaceId, id);
        return toResponse(row, (await repo.counts(tx, workspaceId, [id])).get(id));
      });
    },

    /**
     * A new webhook; it receives the events committed after it (its own `webhook.created`
     * included). A generated secret is in this answer and nowhere else.
     */
    async create(workspaceId: string, body: CreateWebhookBody, actor: Actor): Promise<WebhookWithSecretResponse> {
      await checkSettings({ kind: body.kind, url: body.url ?? null, recipients: body.recipients, secret: body.secret }, { outbound, emailEnabled });
      const generated = body.kind === "webhook" && !body.secret ? generateWebhookSecret() : undefined;
      const secret = body.kind === "webhook" ? (body.secret ?? generated) : undefined;
      return writing(workspaceId, async (tx, w) => {
        // Under the outbox lock, the newest event is the last one committed before this webhook.
        const cursor = await repo.lockedNewestEvent(tx, workspaceId);
        const row = await repo.create(tx, workspaceId, {
          kind: body.kind,
          name: body.name,
          url: body.url ?? null,
          secretSealed: secret ? sealer.seal(secret) : null,
          recipients: body.recipients,
          digest: body.kind === "email" ? body.digest : "immediate",
          eventTypes: body.eventTypes,
          environments: body.environments,
          flags: body.flags,
          tenants: body.tenants,
          enabled: body.enabled,
          cursor,
          createdBy: actor.email ?? actor.name ?? actor.id ?? null,
        });
        await w.audit(actor, { workspaceId, action: "webhook.created", targetType: "webhook", targetId: row.id, targetKey: row.name, after: audited(row) });
        return { ...toResponse(row), ...(generated ? { secret: generated } : {}) };
      });
    },

    async update(workspaceId: string, id: string, body: UpdateWebhookBody, actor: Actor): Promise<WebhookWithSecretResponse> {
      if (body.secret && body.rotateSecret) throw invalid("Give a secret or ask for a new one, not both.", [{ path: "body.rotateSecret", message: "cannot go with secret" }]);
      const current = await reading(workspaceId, (tx) => find(tx, workspaceId, id));
      const next = {
        kind: current.kind,
        url: body.url ?? current.url,
        recipients: body.recipients ?? current.recipients,
        secret: body.secret ?? (body.rotateSecret ? "rotate" : undefined),
      };
      if (body.url !== undefined || body.recipients !== undefined || next.secret) await checkSettings(next, { outbound, emailEnabled: emailEnabled || current.kind !== "email" });
      const generated = body.rotateSecret ? generateWebhookSecret() : undefined;
      const secret = body.secret ?? generated;
      return writing(workspaceId, async (tx, w) => {
        const before = await find(tx, workspaceId, id);
        const data = {
          name: body.name,
          url: body.url,
          recipients: body.recipients,
          digest: current.kind === "email" ? body.digest : undefined,
          eventTypes: body.eventTypes,
          environments: body.environments,
          flags: body.flags,
          tenants: body.tenants,
          enabled: body.enabled,
        };
        const row = await repo.update(tx, workspaceId, id, { ...data, ...(secret ? { secretSealed: sealer.seal(secret) } : {}) });
        const diff = changes(audited(before), audited(row));
        if (secret) {
          (diff.before as Record<string, unknown>).secret = before.secretSealed ? "(set)" : null;
          (diff.after as Record<string, unknown>).secret = "(changed)";
        }
        if (Object.keys(diff.after).length > 0) {
          await w.audit(actor, { workspaceId, action: "webhook.updated", targetType: "webhook", targetId: row.id, targetKey: row.name, before: diff.before, after: diff.after });
        }
        return { ...toResponse(row, (await repo.counts(tx, workspaceId, [id])).get(id)), ...(generated ? { secret: generated } : {}) };
      });
    },

    /** Deletes the webhook and its delivery log; nothing more is sent to it. */
    async remove(workspaceId: string, id: string, actor: Actor): Promise<void> {
      await writing(workspaceId, async (tx, w) => {
        const row = await find(tx, workspaceId, id);
        await repo.delete(tx, workspaceId, id);
        await w.audit(actor, { workspaceId, action: "webhook.deleted", targetType: "webhook", targetId: row.id, targetKey: row.name, before: audited(row) });
      });
    },

    /** The webhook's deliveries, newest first. */
    async deliveries(workspaceId: string, id: string, query: DeliveriesQuery): Promise<DeliveryPage> {
      return reading(workspaceId, async (tx) => {
        await find(tx, workspaceId, id);
        const rows = await repo.deliveries(tx, workspaceId, id, query, query.limit + 1);
        const page = rows.slice(0, query.limit);
        return { items: page.map(toDeliveryResponse), nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null };
      });
    },

    /**
     * Sends a delivered or failed event again (with the same event id, so receivers can tell it
     * is the same event), retried like a new one.
     */
    async redeliver(workspaceId: string, id: string, deliveryId: string, actor: Actor): Promise<DeliveryResponse> {
      const at = now();
      return writing(workspaceId, async (tx, w) => {
        const webhook = await find(tx, workspaceId, id);
        const current = await repo.findDelivery(tx, workspaceId, id, BigInt(deliveryId));
        if (!current) throw notFound("The delivery");
        if (current.status === "pending") throw new AppError("CONFLICT", "The delivery is still being attempted; it can be sent again once it has been delivered or has failed.");
        const row = await repo.retry(tx, workspaceId, current.id, { nextAttemptAt: at, giveUpAt: new Date(at.getTime() + retryForMs) });
        await w.audit(actor, {
          workspaceId,
          action: "webhook.redelivered",
          targetType: "webhook",
          targetId: webhook.id,
          targetKey: webhook.name,
          before: { delivery: deliveryId, event: String(current.eventId), status: current.status },
          after: { status: "pending" },
        });
        return toDeliveryResponse(row);
      });
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
