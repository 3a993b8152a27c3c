import type { DeliveriesQuery } from "@ensign/contracts/webhooks";
import type { Prisma } from "../../generated/prisma/client";
import { lockOutbox } from "../../infra/audit";
import type { Tx } from "../../infra/db/scoped";

const WEBHOOK_SELECT = {
  id: true,
  kind: true,
  name: true,
  url: true,
  secretSealed: true,
  recipients: true,
  digest: true,
  eventTypes: true,
  environments: true,
  flags: true,
  tenants: true,
  enabled: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.WebhookSelect;

export type WebhookRow = Prisma.WebhookGetPayload<{ select: typeof WEBHOOK_SELECT }>;

const DELIVERY_INCLUDE = { event: { select: { type: true } } } satisfies Prisma.WebhookDeliveryInclude;

export type DeliveryRow = Prisma.WebhookDeliveryGetPayload<{ include: typeof DELIVERY_INCLUDE }>;

/** A webhook's settings as the service decided them. */
export interface WebhookData {
  kind: WebhookRow["kind"];
  name: string;
  url: string | null;
  secretSealed: string | null;
  recipients: string[];
  digest: WebhookRow["digest"];
  eventTypes: string[];
  environments: string[];
  flags: string[];
  tenants: string[];
  enabled: boolean;
  createdBy: string | null;
}

/** What an edit changes: missing fields stay. */
export type WebhookChanges = Partial<Omit<WebhookData, "kind" | "createdBy">>;

/** How many of a webhook's deliveries are still being attempted, and how many failed. */
export interface DeliveryCounts {
  pending: number;
  failed: number;
}

/**
 * Where the webhooks service reads and writes, inside the transaction it is given. Every
 * method takes the workspace and keeps to it.
 */
export interface WebhooksRepository {
  /** The workspace's webhooks, oldest first. */
  list(tx: Tx, workspaceId: string): Promise<WebhookRow[]>;
  find(tx: Tx, workspaceId: string, id: string): Promise<WebhookRow | null>;
  /** Pending and failed deliveries of each of the webhooks, by webhook id (absent when none). */
  counts(tx: Tx, workspaceId: string, ids: string[]): Promise<Map<string, DeliveryCounts>>;
  /**
   * Takes the workspace's outbox lock for the rest of the transaction and answers the newest
   * event id committed (0 when none): a webhook made now starts after it.
   */
  lockedNewestEvent(tx: Tx, workspaceId: string): Promise<bigint>;
  /** A new webhook whose deliveries start after the event `cursor`. */
  create(tx: Tx, workspaceId: string, data: WebhookData & { cursor: bigint }): Promise<WebhookRow>;
  update(tx: Tx, workspaceId: string, id: string, data: WebhookChanges): Promise<WebhookRow>;
  /** Deletes the webhook with its delivery log. */
  delete(tx: Tx, workspaceId: string, id: string): Promise<void>;
  /** The webhook's deliveries newest first, from before `query.cursor`, at most `take`. */
  deliveries(tx: Tx, workspaceId: string, webhookId: string, query: Pick<DeliveriesQuery, "status" | "cursor">, take: number): Promise<DeliveryRow[]>;
  findDelivery(tx: Tx, workspaceId: string, webhookId: string, deliveryId: bigint): Promise<DeliveryRow | null>;
  /** Puts a finished delivery back to be attempted from `nextAttemptAt` until `giveUpAt`. */
  retry(tx: Tx, workspaceId: string, deliveryId: bigint, at: { nextAttemptAt: Date; giveUpAt: Date }): Promise<DeliveryRow>;
}

/** The webhooks repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createWebhooksRepository(): WebhooksRepository {
  return {
    list(tx, workspaceId) {
      return tx.webhook.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: WEBHOOK_SELECT });
    },

    find(tx, workspaceId, id) {
      return tx.webhook.findFirst({ where: { workspaceId, id }, select: WEBHOOK_SELECT });
    },

    async counts(tx, workspaceId, ids) {
      const groups = await tx.webhookDelivery.groupBy({ by: ["webhookId", "status"], where: { workspaceId, webhookId: { in: ids }, status: { in: ["pending", "failed"] } }, _count: { _all: true } });
      const byId = new Map<string, DeliveryCounts>();
      for (const group of groups) {
        const entry = byId.get(group.webhookId) ?? { pending: 0, failed: 0 };
        if (group.status === "pending") entry.pending = group._count._all;
        else entry.failed = group._count._all;
        byId.set(group.webhookId, entry);
      }
      return byId;
    },

    async lockedNewestEvent(tx, workspaceId) {
      await lockOutbox(tx, workspaceId);
      const newest = await tx.outboxEvent.aggregate({ where: { workspaceId }, _max: { id: true } });
      return newest._max.id ?? 0n;
    },

    create(tx, workspaceId, data) {
      return tx.webhook.create({ data: { ...data, workspaceId }, select: WEBHOOK_SELECT });
    },

    update(tx, workspaceId, id, data) {
      return tx.webhook.update({ where: { id, workspaceId }, data, select: WEBHOOK_SELECT });
    },

    async delete(tx, workspaceId, id) {
      await tx.webhook.delete({ where: { id, workspaceId } });
    },

    deliveries(tx, workspaceId, webhookId, query, take) {
      return tx.webhookDelivery.findMany({
        where: { workspaceId, webhookId, ...(query.status ? { status: query.status } : {}), ...(query.cursor ? { id: { lt: BigInt(query.cursor) } } : {}) },
        orderBy: { id: "desc" },
        take,
        include: DELIVERY_INCLUDE,
      });
    },

    findDelivery(tx, workspaceId, webhookId, deliveryId) {
      return tx.webhookDelivery.findFirst({ where: { workspaceId, webhookId, id: deliveryId }, include: DELIVERY_INCLUDE });
    },

    retry(tx, workspaceId, deliveryId, { nextAttemptAt, giveUpAt }) {
      return tx.webhookDelivery.update({
        where: { id: deliveryId, workspaceId },
        data: { status: "pending", nextAttemptAt, giveUpAt, completedAt: null, error: null },
        include: DELIVERY_INCLUDE,
      });
    },
  };
}
