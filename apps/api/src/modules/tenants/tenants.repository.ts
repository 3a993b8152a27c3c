import type { FlagType } from "@ensign/contracts/targeting";
import type { AttributeFilter, TENANT_SORTS } from "@ensign/contracts/tenants";
import { Prisma } from "../../generated/prisma/client";
import { lookupsRepository } from "../../infra/db/lookups.repository";
import type { Tx } from "../../infra/db/scoped";
import { nullOnUniqueViolation } from "../../infra/prisma-errors";
import { containsPattern } from "../../infra/like";

export type TenantSort = (typeof TENANT_SORTS)[number];

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

/** The list's filters as one SQL condition on `tenants t`. */
function filterSql(workspaceId: string, filters: TenantFilters): Prisma.Sql {
  const and: Prisma.Sql[] = [Prisma.sql`t.workspace_id = ${workspaceId}::uuid`];
  if (filters.search) {
    const pattern = containsPattern(filters.search);
    and.push(Prisma.sql`(t.key ILIKE ${pattern} OR t.name ILIKE ${pattern})`);
  }
  for (const { name, values } of filters.attributes) {
    // jsonb equality: "3" matches the string, 3 the number (3.0 too), true the boolean.
    const candidates = values.flatMap((raw) => jsonCandidates(raw).map((value) => JSON.stringify(value)));
    and.push(Prisma.sql`t.attributes -> ${name} = ANY(${candidates}::jsonb[])`);
  }
  if (filters.module) {
    const off = Prisma.sql`EXISTS (SELECT 1 FROM tenant_modules tm WHERE tm.tenant_id = t.id AND tm.module_id = ${filters.module.id}::uuid AND NOT tm.enabled)`;
    and.push(filters.module.isOn ? Prisma.sql`NOT ${off}` : off);
  }
  return Prisma.join(and, " AND ");
}

/**
 * Tenants as `TENANT_SELECT` reads them, in one SQL statement with their module switches: the
 * query builder's relation read cost a list page or a tenant's page 3–10 ms more.
 */
function selectTenants(tx: Tx, workspaceId: string, condition: Prisma.Sql) {
  return tx.$queryRaw<TenantRow[]>`
    SELECT t.id, t.key, t.name, t.attributes, t.version, t.created_at AS "createdAt", t.updated_at AS "updatedAt",
           COALESCE((SELECT json_agg(json_build_object('enabled', tm.enabled, 'module', json_build_object('key', m.key)))
                       FROM tenant_modules tm JOIN modules m ON m.id = tm.module_id
                      WHERE tm.workspace_id = ${workspaceId}::uuid AND tm.tenant_id = t.id), '[]') AS modules
      FROM tenants t
     WHERE t.workspace_id = ${workspaceId}::uuid AND ${condition}`;
}

/** The allow-list of sort columns; ties go by key. */
function orderSql(sort: TenantSort, order: "asc" | "desc"): Prisma.Sql {
  const direction = order === "desc" ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  switch (sort) {
    case "key": return Prisma.sql`t.key ${direction}`;
    case "name": return Prisma.sql`t.name ${direction}, t.key ASC`;
    case "createdAt": return Prisma.sql`t.created_at ${direction}, t.key ASC`;
    case "updatedAt": return Prisma.sql`t.updated_at ${direction}, t.key ASC`;
  }
}

/** A tenant's override of one flag, as the tenant's page shows it. */
export interface TenantOverrideMeta {
  flag_key: string;
  variant: string;
  source: "workspace_admin" | "tenant_admin";
  locked: boolean;
  expires_at: Date | null;
  version: number;
}

/** What the tenant's page shows of a live flag. */
export interface TenantFlagMeta {
  key: string;
  name: string;
  description: string;
  type: FlagType;
  variant_keys: string[];
  on_variant: string;
  off_variant: string;
  module: string | null;
}

export const tenantsRepository = {
  async findByKey(tx: Tx, workspaceId: string, key: string): Promise<TenantRow | null> {
    const [row] = await selectTenants(tx, workspaceId, Prisma.sql`t.key = ${key}`);
    return row ?? null;
  },

  /**
   * One page of the matching tenants' keys in list order, with how many match. Keys only: at
   * 10,000 tenants, reading them in one SQL statement costs a fraction of a query builder's.
   */
  async pageKeys(tx: Tx, workspaceId: string, filters: TenantFilters, sort: TenantSort, order: "asc" | "desc", skip: number, take: number) {
    const rows = await tx.$queryRaw<{ key: string; total: bigint }[]>`
      SELECT t.key, count(*) OVER () AS total FROM tenants t
       WHERE ${filterSql(workspaceId, filters)}
       ORDER BY ${orderSql(sort, order)}
       LIMIT ${take} OFFSET ${skip}`;
    if (rows.length > 0) return { keys: rows.map((row) => row.key), total: Number(rows[0]!.total) };
    const [counted] = await tx.$queryRaw<{ total: bigint }[]>`SELECT count(*) AS total FROM tenants t WHERE ${filterSql(workspaceId, filters)}`;
    return { keys: [], total: Number(counted!.total) };
  },

  /** Keys of every matching tenant in list order: the candidates a flag-state filter evaluates. */
  async keys(tx: Tx, workspaceId: string, filters: TenantFilters, sort: TenantSort, order: "asc" | "desc") {
    const rows = await tx.$queryRaw<{ key: string }[]>`SELECT t.key FROM tenants t WHERE ${filterSql(workspaceId, filters)} ORDER BY ${orderSql(sort, order)}`;
    return rows.map((row) => row.key);
  },

  /** The tenants of the given keys, in the keys' order. */
  async byKeysInOrder(tx: Tx, workspaceId: string, keys: readonly string[]) {
    const rows = await selectTenants(tx, workspaceId, Prisma.sql`t.key = ANY(${[...keys]}::text[])`);
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

  /**
   * What goes with the tenant when it is deleted: its tenant-admin memberships, open invitations
   * and overrides, and the end-user roles it defined for itself (by key).
   */
  async dependentsOf(tx: Tx, workspaceId: string, tenantId: string) {
    const [memberships, invitations, overrides, roles] = await Promise.all([
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
      tx.endUserRole.findMany({
        where: { workspaceId, tenantId },
        orderBy: { key: "asc" },
        select: { id: true, key: true, name: true, description: true, inherits: true, inheritedBy: true },
      }),
    ]);
    return { memberships, invitations, overrides, roles };
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

  /** The tenant's overrides in one environment, by flag key. One SQL statement: the tenant's page reads up to one per flag. */
  overridesOf(tx: Tx, workspaceId: string, tenantId: string, environmentId: string) {
    return tx.$queryRaw<TenantOverrideMeta[]>`
      SELECT f.key AS flag_key, o.variant, o.source::text AS source, o.locked, o.expires_at, o.version
        FROM tenant_overrides o JOIN flags f ON f.id = o.flag_id
       WHERE o.workspace_id = ${workspaceId}::uuid AND o.tenant_id = ${tenantId}::uuid AND o.environment_id = ${environmentId}::uuid`;
  },

  /** What the tenant's page shows of every live flag, in key order; of the variants only their keys. */
  flagsMeta(tx: Tx, workspaceId: string) {
    return tx.$queryRaw<TenantFlagMeta[]>`
      SELECT f.key, f.name, f.description, f.type::text AS type, f.on_variant, f.off_variant, m.key AS module,
             ARRAY(SELECT v.value ->> 'key' FROM jsonb_array_elements(f.variants) WITH ORDINALITY AS v(value, n) ORDER BY v.n) AS variant_keys
        FROM flags f LEFT JOIN modules m ON m.id = f.module_id
       WHERE f.workspace_id = ${workspaceId}::uuid AND f.archived_at IS NULL
       ORDER BY f.key`;
  },
};

/** A feature module of the workspace, as tenants switch it. */
export interface TenantModule {
  id: string;
  key: string;
  name: string;
}

/** What goes with a tenant when it is deleted (see `dependentsOf`). */
export type TenantDependents = Awaited<ReturnType<typeof tenantsRepository.dependentsOf>>;

/**
 * Where the tenants service reads and writes, inside the transaction it is given. Every method
 * takes the workspace and keeps to it. Versioned writes answer false when `expectedVersion` is
 * no longer current.
 */
export interface TenantsRepository {
  findByKey(tx: Tx, workspaceId: string, key: string): Promise<TenantRow | null>;
  /** A new tenant without module switches; null when the key is taken. */
  create(tx: Tx, workspaceId: string, data: { key: string; name: string; attributes: Prisma.InputJsonObject }): Promise<TenantRow | null>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: { name?: string; attributes?: Prisma.InputJsonObject }): Promise<boolean>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
  /** The tenant-admin memberships, open invitations, overrides and own end-user roles that go with the tenant. */
  dependentsOf(tx: Tx, workspaceId: string, tenantId: string): Promise<TenantDependents>;
  /** Takes the key out of every allow and deny list and segment, each changed one to a new version; how many changed. */
  forgetTenantKey(tx: Tx, workspaceId: string, key: string): Promise<{ flagStates: number; segments: number }>;
  /** Switches one module for the tenant; the tenant moves to a new version. */
  setModule(tx: Tx, workspaceId: string, tenantId: string, moduleId: string, enabled: boolean): Promise<void>;
  /** The switches of a tenant just created. */
  setModules(tx: Tx, workspaceId: string, tenantId: string, switches: { moduleId: string; enabled: boolean }[]): Promise<void>;
  /** The workspace's modules, by key. */
  modules(tx: Tx, workspaceId: string): Promise<TenantModule[]>;
  findModule(tx: Tx, workspaceId: string, key: string): Promise<TenantModule | null>;
}

/** The tenants service's repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createTenantsRepository(): TenantsRepository {
  const repo = tenantsRepository;
  return {
    findByKey: (tx, workspaceId, key) => repo.findByKey(tx, workspaceId, key),
    create: (tx, workspaceId, data) => nullOnUniqueViolation(() => repo.create(tx, workspaceId, data)),
    update: (tx, workspaceId, id, expectedVersion, data) => repo.update(tx, workspaceId, id, expectedVersion, data),
    delete: (tx, workspaceId, id, expectedVersion) => repo.delete(tx, workspaceId, id, expectedVersion),
    dependentsOf: (tx, workspaceId, tenantId) => repo.dependentsOf(tx, workspaceId, tenantId),
    forgetTenantKey: (tx, workspaceId, key) => repo.forgetTenantKey(tx, workspaceId, key),
    setModule: (tx, workspaceId, tenantId, moduleId, enabled) => repo.setModule(tx, workspaceId, tenantId, moduleId, enabled),
    async setModules(tx, workspaceId, tenantId, switches) {
      await repo.setModules(tx, workspaceId, tenantId, switches);
    },
    modules: (tx, workspaceId) => lookupsRepository.modules(tx, workspaceId),
    findModule: (tx, workspaceId, key) => lookupsRepository.findModule(tx, workspaceId, key),
  };
}

/** An environment as the tenants' reads evaluate in it. */
export interface TenantsEnvironment {
  id: string;
  key: string;
  snapshotVersion: number;
}

/**
 * Where the tenants' reads (the list and a tenant's page) read, inside the transaction they are
 * given; raw SQL where the query builder cost too much (ADR 29).
 * Every method takes the workspace and keeps to it.
 */
export interface TenantsQueryRepository {
  findByKey(tx: Tx, workspaceId: string, key: string): Promise<TenantRow | null>;
  /** One page of the matching tenants' keys in list order, with how many match. */
  pageKeys(tx: Tx, workspaceId: string, filters: TenantFilters, sort: TenantSort, order: "asc" | "desc", skip: number, take: number): Promise<{ keys: string[]; total: number }>;
  /** Keys of every matching tenant in list order. */
  keys(tx: Tx, workspaceId: string, filters: TenantFilters, sort: TenantSort, order: "asc" | "desc"): Promise<string[]>;
  /** The tenants of the given keys, in the keys' order (unknown keys left out). */
  byKeysInOrder(tx: Tx, workspaceId: string, keys: readonly string[]): Promise<TenantRow[]>;
  /** The tenant's overrides in one environment. */
  overridesOf(tx: Tx, workspaceId: string, tenantId: string, environmentId: string): Promise<TenantOverrideMeta[]>;
  /** Every live flag, in key order. */
  flagsMeta(tx: Tx, workspaceId: string): Promise<TenantFlagMeta[]>;
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<TenantsEnvironment | null>;
  /** `production` when the workspace has one, else its first environment. */
  defaultEnvironment(tx: Tx, workspaceId: string): Promise<TenantsEnvironment | null>;
  /** Whether the flag exists and is live (not archived). */
  isLiveFlag(tx: Tx, workspaceId: string, key: string): Promise<boolean>;
  /** Keys among `keys` that are live flags of the workspace. */
  liveFlagKeys(tx: Tx, workspaceId: string, keys: readonly string[]): Promise<Set<string>>;
  findModule(tx: Tx, workspaceId: string, key: string): Promise<TenantModule | null>;
  /** The workspace's modules, by key. */
  modules(tx: Tx, workspaceId: string): Promise<TenantModule[]>;
}

/** The tenants' reads over PostgreSQL, bound by row-level security through the transaction. */
export function createTenantsQueryRepository(): TenantsQueryRepository {
  const repo = tenantsRepository;
  const lookups = lookupsRepository;
  return {
    findByKey: (tx, workspaceId, key) => repo.findByKey(tx, workspaceId, key),
    pageKeys: (tx, workspaceId, filters, sort, order, skip, take) => repo.pageKeys(tx, workspaceId, filters, sort, order, skip, take),
    keys: (tx, workspaceId, filters, sort, order) => repo.keys(tx, workspaceId, filters, sort, order),
    byKeysInOrder: (tx, workspaceId, keys) => repo.byKeysInOrder(tx, workspaceId, keys),
    overridesOf: (tx, workspaceId, tenantId, environmentId) => repo.overridesOf(tx, workspaceId, tenantId, environmentId),
    flagsMeta: (tx, workspaceId) => repo.flagsMeta(tx, workspaceId),
    findEnvironment: (tx, workspaceId, key) => lookups.findEnvironment(tx, workspaceId, key),
    defaultEnvironment: (tx, workspaceId) => lookups.defaultEnvironment(tx, workspaceId),
    async isLiveFlag(tx, workspaceId, key) {
      const flag = await lookups.findFlag(tx, workspaceId, key);
      return !!flag && !flag.archivedAt;
    },
    liveFlagKeys: (tx, workspaceId, keys) => lookups.liveFlagKeys(tx, workspaceId, keys),
    findModule: (tx, workspaceId, key) => lookups.findModule(tx, workspaceId, key),
    modules: (tx, workspaceId) => lookups.modules(tx, workspaceId),
  };
}
