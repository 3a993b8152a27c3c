import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

/** The audit entries a tenant admin may read: their tenant's overrides and module switches. */
export const TENANT_AUDIT_TARGETS = ["tenant_override", "tenant_module"];

/** Only what a tenant admin is shown of an entry is read: no IP, user agent or request id. */
const TENANT_AUDIT_SELECT = {
  id: true,
  at: true,
  environmentKey: true,
  action: true,
  targetType: true,
  targetKey: true,
  actorType: true,
  actorRole: true,
  actorEmail: true,
  before: true,
  after: true,
} satisfies Prisma.AuditEntrySelect;

export type TenantAuditRow = Prisma.AuditEntryGetPayload<{ select: typeof TENANT_AUDIT_SELECT }>;

/** Which of one tenant's entries to read; every field but the tenant narrows. */
export interface TenantAuditFilter {
  tenantId: string;
  /** Only the overrides of this flag. */
  flagKey?: string | undefined;
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Where the tenant audit service reads, inside the transaction it is given; every method keeps to the workspace. */
export interface TenantAuditRepository {
  /** The tenant's entries of its overrides and module switches, newest first. */
  page(tx: Tx, workspaceId: string, filter: TenantAuditFilter, skip: number, take: number): Promise<{ total: number; items: TenantAuditRow[] }>;
}

/** The tenant audit over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createTenantAuditRepository(): TenantAuditRepository {
  return {
    async page(tx, workspaceId, filter, skip, take) {
      const where: Prisma.AuditEntryWhereInput = {
        workspaceId,
        tenantId: filter.tenantId,
        targetType: { in: TENANT_AUDIT_TARGETS },
        ...(filter.flagKey ? { targetType: "tenant_override", targetKey: filter.flagKey } : {}),
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
      };
      const total = await tx.auditEntry.count({ where });
      const items = await tx.auditEntry.findMany({ where, orderBy: [{ at: "desc" }, { id: "desc" }], skip, take, select: TENANT_AUDIT_SELECT });
      return { total, items };
    },
  };
}
