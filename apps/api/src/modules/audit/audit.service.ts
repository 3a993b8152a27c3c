import type { AuditEntryResponse, AuditPage, ListAuditQuery } from "@ensign/contracts/audit";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { Reader } from "../../infra/db/scoped";
import { invalid } from "../../infra/errors";
import type { AuditCursor, AuditFilters, AuditRepository, AuditRow } from "./audit.repository";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toAuditEntryResponse(row: AuditRow): AuditEntryResponse {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor: { type: row.actorType, id: row.actorId, userId: row.actorUserId, name: row.actorName, email: row.actorEmail, role: row.actorRole },
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    environment: row.environmentKey,
    tenant: row.tenantKey,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    targetKey: row.targetKey,
    before: (row.before ?? null) as JsonValue,
    after: (row.after ?? null) as JsonValue,
  };
}

export function encodeCursor(row: { at: Date; id: bigint }): string {
  return Buffer.from(`${row.at.getTime()}.${row.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): AuditCursor {
  const match = /^(\d{1,15})\.(\d{1,19})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw invalid("The cursor is not one this API gave out.", [{ path: "querystring.cursor", message: "is not a valid cursor" }]);
  return { at: new Date(Number(match[1])), id: BigInt(match[2]!) };
}

/** `flag.` and `flag.*` are prefixes; anything else is an exact action. */
function actionFilter(action: string): AuditFilters["action"] {
  if (action.endsWith("*")) return { prefix: action.slice(0, -1) };
  if (action.endsWith(".")) return { prefix: action };
  return { exact: action };
}

function actorFilter(actor: string): AuditFilters["actor"] {
  if (actor === "system") return { type: "system" };
  if (actor.includes("@")) return { email: actor.toLowerCase() };
  return { id: UUID.test(actor) ? actor.toLowerCase() : actor };
}

export function filtersOf(query: Omit<ListAuditQuery, "cursor" | "pageSize">): AuditFilters {
  return {
    flagKey: query.flag,
    targetType: query.targetType,
    tenantKey: query.tenant,
    actor: query.actor ? actorFilter(query.actor) : undefined,
    action: query.action ? actionFilter(query.action) : undefined,
    environmentKey: query.environment,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}

export interface AuditServiceDeps {
  reading: Reader;
  repo: AuditRepository;
}

export function createAuditService({ reading, repo }: AuditServiceDeps) {
  return {
    /** The workspace's audit log, newest first, one keyset page at a time. */
    async list(workspaceId: string, query: ListAuditQuery): Promise<AuditPage> {
      const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
      const { rows, total } = await reading(workspaceId, (tx) => repo.page(tx, workspaceId, filtersOf(query), cursor, query.pageSize + 1));
      const page = rows.slice(0, query.pageSize);
      const last = page.at(-1);
      return {
        items: page.map(toAuditEntryResponse),
        total,
        pageSize: query.pageSize,
        nextCursor: rows.length > query.pageSize && last ? encodeCursor(last) : null,
      };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
