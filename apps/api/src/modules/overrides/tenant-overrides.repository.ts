import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { literal } from "../../infra/like";
import { TENANT_OVERRIDE_SELECT, type OverrideKey, type Paged, type TenantOverrideData, type TenantOverrideRow } from "./overrides.repository";
import { flagLookups, type FlagLookups } from "./overrides.rules";

export interface TenantRef {
  id: string;
  key: string;
  name: string;
}

/** One flag's overrides in one environment, narrowed by lock, source, variant and a search in the tenant's key or name (any case). */
export interface TenantOverrideFilter {
  flagId: string;
  environmentId: string;
  locked?: boolean | undefined;
  source?: TenantOverrideData["source"] | undefined;
  variant?: string | undefined;
  search?: string | undefined;
}

/**
 * Where the tenant-overrides service reads and writes, inside the transaction it is given.
 * Every method takes the workspace and keeps to it. Versioned writes answer false when
 * `expectedVersion` is no longer current.
 */
export interface TenantOverridesRepository extends FlagLookups {
  findTenant(tx: Tx, workspaceId: string, key: string): Promise<TenantRef | null>;
  find(tx: Tx, workspaceId: string, key: OverrideKey): Promise<TenantOverrideRow | null>;
  /** By tenant key. */
  list(tx: Tx, workspaceId: string, filter: TenantOverrideFilter, skip: number, take: number): Promise<Paged<TenantOverrideRow>>;
  create(tx: Tx, workspaceId: string, key: OverrideKey, data: TenantOverrideData): Promise<TenantOverrideRow>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: Partial<TenantOverrideData>): Promise<boolean>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
}

const searched = (search: string | undefined): Prisma.TenantOverrideWhereInput => {
  if (!search) return {};
  const contains = { contains: literal(search), mode: "insensitive" as const };
  return { tenant: { OR: [{ key: contains }, { name: contains }] } };
};

/** The tenant-overrides repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createTenantOverridesRepository(): TenantOverridesRepository {
  return {
    ...flagLookups,

    findTenant(tx, workspaceId, key) {
      return tx.tenant.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, key: true, name: true } });
    },

    find(tx, workspaceId, key) {
      return tx.tenantOverride.findFirst({ where: { workspaceId, ...key }, select: TENANT_OVERRIDE_SELECT });
    },

    async list(tx, workspaceId, filter, skip, take) {
      const where: Prisma.TenantOverrideWhereInput = {
        workspaceId,
        flagId: filter.flagId,
        environmentId: filter.environmentId,
        ...(filter.locked === undefined ? {} : { locked: filter.locked }),
        ...(filter.source === undefined ? {} : { source: filter.source }),
        ...(filter.variant === undefined ? {} : { variant: filter.variant }),
        ...searched(filter.search),
      };
      const total = await tx.tenantOverride.count({ where });
      const items = await tx.tenantOverride.findMany({ where, orderBy: [{ tenant: { key: "asc" } }], skip, take, select: TENANT_OVERRIDE_SELECT });
      return { total, items };
    },

    create(tx, workspaceId, key, data) {
      return tx.tenantOverride.create({ data: { workspaceId, ...key, ...data }, select: TENANT_OVERRIDE_SELECT });
    },

    async update(tx, workspaceId, id, expectedVersion, data) {
      const { count } = await tx.tenantOverride.updateMany({ where: { workspaceId, id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
      return count === 1;
    },

    async delete(tx, workspaceId, id, expectedVersion) {
      const { count } = await tx.tenantOverride.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
      return count === 1;
    },
  };
}
