import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { literal } from "../../infra/like";

/**
 * What a flag's history holds: the flag's own entries (definition, state, rules, schedules) and
 * the tenant and user overrides of it, all of which carry the flag's key as their target key.
 */
export const FLAG_TARGET_TYPES = ["flag", "tenant_override", "user_override"];

export interface AuditFilters {
  flagKey?: string;
  targetType?: string;
  tenantKey?: string;
  actor?: { id: string } | { email: string } | { type: "system" };
  action?: { exact: string } | { prefix: string };
  environmentKey?: string;
  from?: Date;
  to?: Date;
}

/** A position in the log, newest first: entries strictly older than (at, id). */
export interface AuditCursor {
  at: Date;
  id: bigint;
}

export const AUDIT_SELECT = {
  id: true,
  at: true,
  actorType: true,
  actorId: true,
  actorEmail: true,
  actorUserId: true,
  actorName: true,
  actorRole: true,
  ip: true,
  userAgent: true,
  requestId: true,
  environmentKey: true,
  tenantKey: true,
  action: true,
  targetType: true,
  targetId: true,
  targetKey: true,
  before: true,
  after: true,
} satisfies Prisma.AuditEntrySelect;

export type AuditRow = Prisma.AuditEntryGetPayload<{ select: typeof AUDIT_SELECT }>;

/**
 * Every filter is an equality (or a left-anchored prefix) on a column that leads one of the
 * audit indexes after workspace_id (an actor id: either of two, each indexed), and the order is the (workspace_id, at desc, id desc)
 * index's: pages cost the same on the first page and the thousandth.
 */
function whereOf(workspaceId: string, f: AuditFilters): Prisma.AuditEntryWhereInput {
  const actor = f.actor;
  return {
    workspaceId,
    ...(f.flagKey ? { targetType: { in: FLAG_TARGET_TYPES }, targetKey: f.flagKey } : {}),
    ...(f.targetType ? { targetType: f.targetType } : {}),
    ...(f.tenantKey ? { tenantKey: f.tenantKey } : {}),
    // A user's own changes and their personal tokens' (each side has its index).
    ...(actor && "id" in actor ? { OR: [{ actorId: actor.id }, { actorUserId: actor.id }] } : {}),
    ...(actor && "email" in actor ? { actorEmail: actor.email } : {}),
    ...(actor && "type" in actor ? { actorType: actor.type } : {}),
    ...(f.action && "exact" in f.action ? { action: f.action.exact } : {}),
    ...(f.action && "prefix" in f.action ? { action: { startsWith: literal(f.action.prefix) } } : {}),
    ...(f.environmentKey ? { environmentKey: f.environmentKey } : {}),
    ...(f.from || f.to ? { at: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } } : {}),
  };
}

/** Where the audit service reads, inside the transaction it is given; every method keeps to the workspace. */
export interface AuditRepository {
  /** Up to `take` entries after the cursor, newest first, and the total matching the filters. */
  page(tx: Tx, workspaceId: string, filters: AuditFilters, cursor: AuditCursor | undefined, take: number): Promise<{ rows: AuditRow[]; total: number }>;
}

/** The audit log over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createAuditRepository(): AuditRepository {
  return {
    async page(tx, workspaceId, filters, cursor, take) {
      const where = whereOf(workspaceId, filters);
      const after: Prisma.AuditEntryWhereInput = cursor
        ? { AND: [where, { OR: [{ at: { lt: cursor.at } }, { at: cursor.at, id: { lt: cursor.id } }] }] }
        : where;
      const rows = await tx.auditEntry.findMany({ where: after, orderBy: [{ at: "desc" }, { id: "desc" }], take, select: AUDIT_SELECT });
      const total = await tx.auditEntry.count({ where });
      return { rows, total };
    },
  };
}
