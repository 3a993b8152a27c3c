import { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

const ROLE_SELECT = {
  id: true,
  tenantId: true,
  key: true,
  name: true,
  description: true,
  inherits: true,
  inheritedBy: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.EndUserRoleSelect;

export type RoleRow = Prisma.EndUserRoleGetPayload<{ select: typeof ROLE_SELECT }>;

export interface RoleData {
  name?: string;
  description?: string;
  inherits?: string[];
  inheritedBy?: string[];
}

/** Where the workspace's flag rules and segment rules name role keys in `role_at_least`. */
const safeList = (value: Prisma.Sql) => Prisma.sql`CASE WHEN jsonb_typeof(${value}) = 'array' THEN ${value} ELSE '[]'::jsonb END`;
const VALUES = Prisma.sql`jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.cond) = 'object' AND jsonb_typeof(c.cond->'values') = 'array' THEN c.cond->'values' ELSE '[]'::jsonb END)`;

/** A tenant as the roles service names it. */
export interface RoleTenant {
  id: string;
  key: string;
}

/** Role usage in rules: the flags and the segments whose rules name a role key. */
export interface RoleUsage {
  flags: string[];
  segments: string[];
}

/**
 * Where the roles service reads and writes, inside the transaction it is given. Every method
 * takes the workspace and keeps to it. Versioned writes answer null or false when
 * `expectedVersion` is no longer current.
 */
export interface RolesRepository {
  /** Every role of the workspace, its own and every tenant's, by key. */
  all(tx: Tx, workspaceId: string): Promise<RoleRow[]>;
  /** Locks the workspace's roles for the transaction, so that two concurrent changes cannot together close a cycle. */
  lock(tx: Tx, workspaceId: string): Promise<void>;
  /** The workspace's tenant with this id or key. */
  findTenant(tx: Tx, workspaceId: string, by: { id: string } | { key: string }): Promise<RoleTenant | null>;
  /** The workspace's tenants among these ids. */
  tenants(tx: Tx, workspaceId: string, ids: string[]): Promise<RoleTenant[]>;
  create(tx: Tx, workspaceId: string, tenantId: string | null, data: RoleData & { key: string; name: string }): Promise<RoleRow>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: RoleData): Promise<RoleRow | null>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
  /** How many distinct flags have a rule (in any environment) naming each role key in `role_at_least`. */
  flagCounts(tx: Tx, workspaceId: string): Promise<Map<string, number>>;
  /** The flags and segments whose rules name the role key in `role_at_least`, by key. */
  usage(tx: Tx, workspaceId: string, key: string): Promise<RoleUsage>;
}

/** The roles repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createRolesRepository(): RolesRepository {
  return {
    /** Every role of the workspace: its own and every tenant's (small: at most a few hundred per scope). */
    all(tx, workspaceId) {
      return tx.endUserRole.findMany({ where: { workspaceId }, orderBy: { key: "asc" }, select: ROLE_SELECT });
    },

    async lock(tx, workspaceId) {
      await tx.$queryRaw`SELECT id FROM workspaces WHERE id = ${workspaceId}::uuid FOR UPDATE`;
    },

    findTenant(tx, workspaceId, by) {
      return tx.tenant.findFirst({ where: { workspaceId, ...by }, select: { id: true, key: true } });
    },

    async tenants(tx, workspaceId, ids) {
      if (ids.length === 0) return [];
      return tx.tenant.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, key: true } });
    },

    create(tx, workspaceId, tenantId, data) {
      return tx.endUserRole.create({ data: { ...data, workspaceId, tenantId }, select: ROLE_SELECT });
    },

    async update(tx, workspaceId, id, expectedVersion, data) {
      const { count } = await tx.endUserRole.updateMany({ where: { workspaceId, id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
      return count === 1 ? tx.endUserRole.findUnique({ where: { id }, select: ROLE_SELECT }) : null;
    },

    async delete(tx, workspaceId, id, expectedVersion) {
      const { count } = await tx.endUserRole.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
      return count === 1;
    },

    async flagCounts(tx, workspaceId) {
      const rows = await tx.$queryRaw<{ role: string; flags: number }[]>`
        SELECT v.role, COUNT(DISTINCT s.flag_id)::int AS flags
        FROM flag_rules r
        JOIN flag_states s ON s.id = r.flag_state_id
        CROSS JOIN LATERAL jsonb_array_elements(${safeList(Prisma.sql`r.conditions`)}) AS c(cond)
        CROSS JOIN LATERAL ${VALUES} AS v(role)
        WHERE r.workspace_id = ${workspaceId}::uuid AND c.cond->>'operator' = 'role_at_least'
        GROUP BY v.role`;
      return new Map(rows.map((row) => [row.role, row.flags]));
    },

    /** The flags and segments whose rules name the role key in `role_at_least`. */
    async usage(tx, workspaceId, key) {
      const flags = await tx.$queryRaw<{ key: string }[]>`
        SELECT DISTINCT f.key
        FROM flag_rules r
        JOIN flag_states s ON s.id = r.flag_state_id
        JOIN flags f ON f.id = s.flag_id
        CROSS JOIN LATERAL jsonb_array_elements(${safeList(Prisma.sql`r.conditions`)}) AS c(cond)
        CROSS JOIN LATERAL ${VALUES} AS v(role)
        WHERE r.workspace_id = ${workspaceId}::uuid AND c.cond->>'operator' = 'role_at_least' AND v.role = ${key}
        ORDER BY f.key`;
      const segments = await tx.$queryRaw<{ key: string }[]>`
        SELECT DISTINCT g.key
        FROM segments g
        CROSS JOIN LATERAL jsonb_array_elements(${safeList(Prisma.sql`g.rules`)}) AS sr(rule)
        CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(sr.rule->'conditions') = 'array' THEN sr.rule->'conditions' ELSE '[]'::jsonb END) AS c(cond)
        CROSS JOIN LATERAL ${VALUES} AS v(role)
        WHERE g.workspace_id = ${workspaceId}::uuid AND c.cond->>'operator' = 'role_at_least' AND v.role = ${key}
        ORDER BY g.key`;
      return { flags: flags.map((row) => row.key), segments: segments.map((row) => row.key) };
    },
  };
}
