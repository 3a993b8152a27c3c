import type { FastifyRequest } from "fastify";
import type { Prisma } from "../generated/prisma/client";
import type { Tx } from "./db/scoped";

/**
 * Who did something: a signed-in user, an API key, an access token (a user's personal token,
 * or a workspace's service token), or Ensign itself (schedules, sweeps).
 */
export interface Actor {
  type: "user" | "api_key" | "personal_token" | "service_token" | "system";
  /** The user, the API key, or the access token. */
  id?: string;
  /** For a personal token: the user it acts for. */
  userId?: string;
  /** For an access token: its name. */
  name?: string;
  email?: string;
  role?: string;
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

export const SYSTEM_ACTOR: Actor = { type: "system" };

/** The actor of a request (a signed-in user, or the API key of an evaluation endpoint), as the audit log records it. */
export function actorOf(request: FastifyRequest): Actor {
  const userAgent = request.headers["user-agent"];
  const base = { ip: request.ip, userAgent: userAgent?.slice(0, 500), requestId: request.id };
  if (request.apiKey) return { ...base, type: "api_key", id: request.apiKey.id };
  if (request.serviceToken) {
    const token = request.serviceToken;
    return { ...base, type: "service_token", id: token.id, name: token.name, role: token.role };
  }
  if (request.principal?.token) {
    const { token, userId, email } = request.principal;
    return { ...base, type: "personal_token", id: token.id, name: token.name, userId, email, role: request.scope?.role };
  }
  if (request.principal) {
    return {
      ...base,
      type: "user",
      id: request.principal.userId,
      email: request.principal.email,
      role: request.principal.isSuperadmin ? "superadmin" : request.scope?.role,
    };
  }
  return { ...base, type: "system" };
}

export interface AuditRecord {
  workspaceId: string;
  environment?: { id: string; key: string } | null;
  tenant?: { id: string; key: string } | null;
  /** `flag.created`, `flag_state.toggled`, `tenant_override.set`, ... */
  action: string;
  targetType: string;
  targetId?: string | null;
  targetKey?: string | null;
  before?: unknown;
  after?: unknown;
}

function toRow(actor: Actor, record: AuditRecord): Prisma.AuditEntryCreateManyInput {
  return {
    workspaceId: record.workspaceId,
    environmentId: record.environment?.id ?? null,
    environmentKey: record.environment?.key ?? null,
    tenantId: record.tenant?.id ?? null,
    tenantKey: record.tenant?.key ?? null,
    actorType: actor.type,
    actorId: actor.id ?? null,
    actorEmail: actor.email ?? null,
    actorRole: actor.role ?? null,
    actorUserId: actor.userId ?? null,
    actorName: actor.name ?? null,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ?? null,
    requestId: actor.requestId ?? null,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId ?? null,
    targetKey: record.targetKey ?? null,
    before: toJson(record.before),
    after: toJson(record.after),
  };
}

/** The targets whose key is a flag's key. */
const FLAG_TARGETS = new Set(["flag", "tenant_override", "user_override"]);

/** An audit record as an outbox event: what webhooks and notifications deliver (never the IP or user agent). */
function toEvent(actor: Actor, record: AuditRecord): Prisma.OutboxEventCreateManyInput {
  return {
    workspaceId: record.workspaceId,
    type: record.action,
    environmentKey: record.environment?.key ?? null,
    tenantKey: record.tenant?.key ?? null,
    flagKey: FLAG_TARGETS.has(record.targetType) ? (record.targetKey ?? null) : null,
    payload: {
      actor: { type: actor.type, id: actor.id ?? null, email: actor.email ?? null, name: actor.name ?? null },
      target: { type: record.targetType, id: record.targetId ?? null, key: record.targetKey ?? null },
      before: toJson(record.before) ?? null,
      after: toJson(record.after) ?? null,
    },
  };
}

/**
 * Writes audit entries in the caller's transaction: they commit or roll back with the change.
 * Each entry is also written to the outbox, for webhooks and notifications, under the
 * workspace's outbox lock: a second writer in the workspace waits until this transaction ends,
 * so outbox ids follow the order of commit (a dispatcher never sees id n+1 before n).
 */
export async function recordAudit(tx: Tx, actor: Actor, ...records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.auditEntry.createMany({ data: records.map((record) => toRow(actor, record)) });
  for (const workspaceId of [...new Set(records.map((record) => record.workspaceId))].sort()) {
    // With the lock, a notification that PostgreSQL sends only if (and when) this transaction commits.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${outboxLockKey(workspaceId)}, 0)), pg_notify(${OUTBOX_CHANNEL}, '')`;
  }
  await tx.outboxEvent.createMany({ data: records.map((record) => toEvent(actor, record)) });
}

/** The PostgreSQL channel notified when outbox events commit: dispatchers listen to start a pass at once. */
export const OUTBOX_CHANNEL = "ensign_outbox";

const outboxLockKey = (workspaceId: string) => `ensign.outbox:${workspaceId}`;

/** Takes the workspace's outbox lock until the transaction ends (outbox ids then follow commit order). */
export async function lockOutbox(tx: Tx, workspaceId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${outboxLockKey(workspaceId)}, 0))`;
}

/**
 * The fields that differ between two versions of a resource, each side holding only those.
 * Arrays and objects compare by their JSON.
 */
export function changes<T extends Record<string, unknown>>(before: T, after: Partial<T>): { before: Partial<T>; after: Partial<T> } {
  const was: Partial<T> = {};
  const now: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (after[key] === undefined) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      was[key] = before[key];
      now[key] = after[key];
    }
  }
  return { before: was, after: now };
}

function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
