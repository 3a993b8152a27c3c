import type { TenantAuditEntry, TenantAuditQuery, TenantAuditResponse } from "@ensign/contracts/tenant-admin";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { AuditEntry, Prisma, PrismaClient } from "../../generated/prisma/client";
import type { WorkspaceScope } from "../../infra/auth";
import { inWorkspace } from "../../infra/db/scoped";
import { forbidden } from "../../infra/errors";
import { TENANT_AUDIT_TARGETS, tenantAdminRepository as repo } from "./tenant-admin.repository";

/**
 * What a tenant admin sees of an entry: no IP, user agent or request id, and workspace staff
 * by role only; the emails of their own tenant's admins are shown.
 */
export function toTenantAuditEntry(entry: AuditEntry): TenantAuditEntry {
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

/** The audit trail of the caller's own tenant: its features' overrides and its module switches. */
export function createTenantAuditService({ prisma }: { prisma: PrismaClient }) {
  return {
    async list(scope: WorkspaceScope, query: TenantAuditQuery): Promise<TenantAuditResponse> {
      if (!scope.tenantId) throw forbidden("Your membership is not bound to a tenant.");
      const where: Prisma.AuditEntryWhereInput = {
        workspaceId: scope.workspaceId,
        tenantId: scope.tenantId,
        targetType: { in: TENANT_AUDIT_TARGETS },
        ...(query.flag ? { targetType: "tenant_override", targetKey: query.flag } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.from || query.to ? { at: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lte: new Date(query.to) } : {}) } } : {}),
      };
      const { total, items } = await inWorkspace(prisma, scope.workspaceId, (tx) => repo.auditPage(tx, where, (query.page - 1) * query.pageSize, query.pageSize));
      return { items: items.map(toTenantAuditEntry), total, page: query.page, pageSize: query.pageSize };
    },
  };
}

export type TenantAuditService = ReturnType<typeof createTenantAuditService>;
