import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

export const TENANT_OVERRIDE_SELECT = {
  id: true,
  variant: true,
  source: true,
  locked: true,
  expiresAt: true,
  updatedBy: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  flagId: true,
  tenantId: true,
  tenant: { select: { key: true, name: true } },
} satisfies Prisma.TenantOverrideSelect;

export type TenantOverrideRow = Prisma.TenantOverrideGetPayload<{ select: typeof TENANT_OVERRIDE_SELECT }>;

export const USER_OVERRIDE_SELECT = {
  id: true,
  userKey: true,
  variant: true,
  expiresAt: true,
  updatedBy: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.UserOverrideSelect;

export type UserOverrideRow = Prisma.UserOverrideGetPayload<{ select: typeof USER_OVERRIDE_SELECT }>;

/** What an override write sets. */
export interface TenantOverrideData {
  variant: string;
  locked: boolean;
  expiresAt: Date | null;
  source: "workspace_admin" | "tenant_admin";
  updatedBy: string | null;
}

/** One page of a list and the total it is from. */
export interface Paged<T> {
  total: number;
  items: T[];
}

export interface OverrideKey {
  flagId: string;
  environmentId: string;
  tenantId: string;
}

export const overridesRepository = {
  tenantsByKeys(tx: Tx, workspaceId: string, keys: readonly string[]) {
    return tx.tenant.findMany({ where: { workspaceId, key: { in: [...keys] } }, select: { id: true, key: true, name: true } });
  },

  liveFlags(tx: Tx, workspaceId: string) {
    return tx.flag.findMany({
      where: { workspaceId, archivedAt: null },
      orderBy: { key: "asc" },
      select: { id: true, key: true, offVariant: true },
    });
  },

  tenantOverridesOf(tx: Tx, workspaceId: string, environmentId: string, tenantIds: string[], flagIds: string[]) {
    return tx.tenantOverride.findMany({
      where: { workspaceId, environmentId, tenantId: { in: tenantIds }, flagId: { in: flagIds } },
      select: TENANT_OVERRIDE_SELECT,
    });
  },

  createTenantOverrides(tx: Tx, workspaceId: string, rows: (OverrideKey & TenantOverrideData)[]) {
    return tx.tenantOverride.createMany({ data: rows.map((row) => ({ workspaceId, ...row })) });
  },

  updateTenantOverrides(tx: Tx, workspaceId: string, ids: string[], data: Partial<TenantOverrideData>) {
    return tx.tenantOverride.updateMany({ where: { workspaceId, id: { in: ids } }, data: { ...data, version: { increment: 1 } } });
  },

  deleteTenantOverrides(tx: Tx, workspaceId: string, ids: string[]) {
    return tx.tenantOverride.deleteMany({ where: { workspaceId, id: { in: ids } } });
  },
};
