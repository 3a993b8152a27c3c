import type { AttributeFilter } from "@ensign/contracts/tenants";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { literal } from "../../infra/like";

export const TENANT_SELECT = {
  id: true,
  key: true,
  name: true,
  attributes: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  modules: { select: { enabled: true, module: { select: { key: true } } } },
} satisfies Prisma.TenantSelect;

export type TenantRow = Prisma.TenantGetPayload<{ select: typeof TENANT_SELECT }>;

export interface TenantFilters {
  search?: string;
  attributes: AttributeFilter[];
  /** The module's id and the state it must have for the tenant. */
  module?: { id: string; isOn: boolean };
}

/** The JSON values a query-string value matches: the string itself, and the number or boolean it spells. */
function jsonCandidates(raw: string): (string | number | boolean)[] {
  const candidates: (string | number | boolean)[] = [raw];
  if (raw === "true" || raw === "false") candidates.push(raw === "true");
  if (raw.trim() !== "" && Number.isFinite(Number(raw))) candidates.push(Number(raw));
  return candidates;
}

export function tenantWhere(workspaceId: string, filters: TenantFilters): Prisma.TenantWhereInput {
  const and: Prisma.TenantWhereInput[] = [{ workspaceId }];
  if (filters.search) {
    and.push({ OR: [{ key: { contains: literal(filters.search), mode: "insensitive" } }, { name: { contains: literal(filters.search), mode: "insensitive" } }] });
  }
  for (const { name, values } of filters.attributes) {
    and.push({ OR: values.flatMap((raw) => jsonCandidates(raw).map((value) => ({ attributes: { path: [name], equals: value } }))) });
  }
  if (filters.module) {
    const off = { modules: { some: { moduleId: filters.module.id, enabled: false } } };
    and.push(filters.module.isOn ? { NOT: off } : off);
  }
  return { AND: and };
}

export const tenantsRepository = {
  findByKey(tx: Tx, workspaceId: string, key: string) {
    return tx.tenant.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: TENANT_SELECT });
  },

  count(tx: Tx, where: Prisma.TenantWhereInput) {
    return tx.tenant.count({ where });
  },

  page(tx: Tx, where: Prisma.TenantWhereInput, orderBy: Prisma.TenantOrderByWithRelationInput[], skip: number, take: number) {
    return tx.tenant.findMany({ where, orderBy, skip, take, select: TENANT_SELECT });
  },

  /** Keys of every matching tenant in list order: the candidates a flag-state filter evaluates. */
  keys(tx: Tx, where: Prisma.TenantWhereInput, orderBy: Prisma.TenantOrderByWithRelationInput[]) {
    return tx.tenant.findMany({ where, orderBy, select: { key: true } });
  },

  async byKeysInOrder(tx: Tx, workspaceId: string, keys: readonly string[]) {
    const rows = await tx.tenant.findMany({ where: { workspaceId, key: { in: [...keys] } }, select: TENANT_SELECT });
    const byKey = new Map(rows.map((row) => [row.key, row]));
    return keys.map((key) => byKey.get(key)).filter((row): row is TenantRow => row !== undefined);
  },

  create(tx: Tx, workspaceId: string, data: { key: string; name: string; attributes: Prisma.InputJsonObject }) {
    return tx.tenant.create({ data: { workspaceId, ...data }, select: TENANT_SELECT });
  },

  /** Updates only if `expectedVersion` is still current; false when it is not. */
  async update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: { name?: string; attributes?: Prisma.InputJsonObject }) {
    const { count } = await tx.tenant.updateMany({ where: { workspaceId, id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
    return count === 1;
  },

  async delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number) {
    const { count } = await tx.tenant.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },

  /** The tenant-admin memberships, open invitations and overrides that go with the tenant when it is deleted. */
  async dependentsOf(tx: Tx, workspaceId: string, tenantId: string) {
    const [memberships, invitations, overrides] = await Promise.all([
      tx.membership.findMany({
        where: { workspaceId, tenantId },
        orderBy: { createdAt: "asc" },
        select: { id: true, role: true, user: { select: { email: true } } },
      }),
      tx.invitation.findMany({
        where: { workspaceId, tenantId, acceptedAt: null, revokedAt: null },
        orderBy: { createdAt: "asc" },
        select: { id: true, email: true, role: true, expiresAt: true },
      }),
      tx.tenantOverride.findMany({
        where: { workspaceId, tenantId },
        orderBy: [{ environmentId: "asc" }, { createdAt: "asc" }],
        select: {
          id: true,
          variant: true,
          locked: true,
          source: true,
          expiresAt: true,
          flag: { select: { key: true } },
          environment: { select: { id: true, key: true } },
        },
      }),
    ]);
    return { memberships, invitations, overrides };
  },

  /**
   * Removes a tenant key from every flag state's allow and deny lists and every segment's
   * tenant lists, so a tenant created later with the same key is not targeted by accident.
   * Each changed flag state or segment moves to a new version.
   */
  async forgetTenantKey(tx: Tx, workspaceId: string, key: string) {
    const states = await tx.$executeRaw`
      UPDATE flag_states
         SET tenant_allow = array_remove(tenant_allow, ${key}), tenant_deny = array_remove(tenant_deny, ${key}),
             version = version + 1, updated_at = now()
       WHERE workspace_id = ${workspaceId}::uuid AND (${key} = ANY(tenant_allow) OR ${key} = ANY(tenant_deny))`;
    const segments = await tx.$executeRaw`
      UPDATE segments
         SET included_tenants = array_remove(included_tenants, ${key}), excluded_tenants = array_remove(excluded_tenants, ${key}),
             version = version + 1, updated_at = now()
       WHERE workspace_id = ${workspaceId}::uuid AND (${key} = ANY(included_tenants) OR ${key} = ANY(excluded_tenants))`;
    return { flagStates: states, segments };
  },

  /** A module switch is a change of the tenant: its version moves. */
  async setModule(tx: Tx, workspaceId: string, tenantId: string, moduleId: string, enabled: boolean) {
    await tx.tenantModule.upsert({
      where: { tenantId_moduleId: { tenantId, moduleId } },
      create: { workspaceId, tenantId, moduleId, enabled },
      update: { enabled },
    });
    await tx.tenant.updateMany({ where: { workspaceId, id: tenantId }, data: { version: { increment: 1 } } });
  },

  setModules(tx: Tx, workspaceId: string, tenantId: string, switches: { moduleId: string; enabled: boolean }[]) {
    return tx.tenantModule.createMany({ data: switches.map((s) => ({ workspaceId, tenantId, ...s })) });
  },

  overridesOf(tx: Tx, workspaceId: string, tenantId: string, environmentId: string) {
    return tx.tenantOverride.findMany({
      where: { workspaceId, tenantId, environmentId },
      select: { variant: true, source: true, locked: true, expiresAt: true, version: true, flag: { select: { key: true } } },
    });
  },

  flagsMeta(tx: Tx, workspaceId: string) {
    return tx.flag.findMany({
      where: { workspaceId, archivedAt: null },
      orderBy: { key: "asc" },
      select: { key: true, name: true, description: true, type: true, variants: true, onVariant: true, offVariant: true, module: { select: { key: true } } },
    });
  },
};
