import type { TenantAuditEntry, TenantAuditQuery, TenantAuditResponse } from "@ensign/contracts/tenant-admin";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { WorkspaceScope } from "../../infra/auth";
import type { Reader } from "../../infra/db/scoped";
import { forbidden } from "../../infra/errors";
import type { TenantAuditRepository, TenantAuditRow } from "./tenant-audit.repository";

/**
 * What a tenant admin sees of an entry: no IP, user agent or request id, and workspace staff
 * by role only; the emails of their own tenant's admins are shown.
 */
export function toTenantAuditEntry(entry: TenantAuditRow): TenantAuditEntry {
  return {
    id: entry.id.toString(),
    at: entry.at.toISOString(),
    environment: entry.environmentKey,
    action: entry.action,
    targetType: entry.targetType,
    targetKey: entry.targetKey,
    actor: { type: entry.actorType, role: entry.actorRole, email: entry.actorRole === "tenant_admin" ? entry.actorEmail : null },
    before: (entry.before ?? null) as JsonValue,
    after: (entry.after ?? null) as JsonValue,
  };
}

export interface TenantAuditServiceDeps {
  reading: Reader;
  repo: TenantAuditRepository;
}

/** The audit trail of the caller's own tenant: its features' overrides and its module switches. */
export function createTenantAuditService({ reading, repo }: TenantAuditServiceDeps) {
  return {
    async list(scope: WorkspaceScope, query: TenantAuditQuery): Promise<TenantAuditResponse> {
      const { tenantId } = scope;
      if (!tenantId) throw forbidden("Your membership is not bound to a tenant.");
      const filter = {
        tenantId,
        flagKey: query.flag,
        action: query.action,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      };
      const skip = (query.page - 1) * query.pageSize;
      const { total, items } = await reading(scope.workspaceId, (tx) => repo.page(tx, scope.workspaceId, filter, skip, query.pageSize));
      return { items: items.map(toTenantAuditEntry), total, page: query.page, pageSize: query.pageSize };
    },
  };
}

export type TenantAuditService = ReturnType<typeof createTenantAuditService>;
