import type { ListFlagsQuery } from "@ensign/contracts/flags";
import type { Serve } from "@ensign/contracts/targeting";
import { containsPattern } from "../../infra/like";
import { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

const SORT_COLUMNS = { key: "f.key", name: "f.name", createdAt: "f.created_at", updatedAt: "f.updated_at" } as const;

export interface FlagListRow {
  id: string;
  key: string;
  name: string;
  description: string;
  type: "boolean" | "string" | "number" | "json";
  off_variant: string;
  on_variant: string;
  tags: string[];
  is_beta: boolean;
  depends_on: string[];
  lifecycle: "temporary" | "permanent";
  owner: string | null;
  deprecated_at: Date | null;
  archived_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  module_key: string | null;
  total: number;
}

export interface StateListRow {
  flag_id: string;
  environment_id: string;
  enabled: boolean;
  fallthrough: Serve;
  tenant_allow: string[];
  tenant_deny: string[];
  version: number;
  updated_at: Date;
  rule_count: number;
  override_count: number;
  user_override_count: number;
}

/**
 * The status of `f`'s state `s` in SQL, as `statusOf` (state-summary.ts) computes it in
 * TypeScript: a missing state counts as off.
 */
function statusSql(now: Date): Prisma.Sql {
  return Prisma.sql`CASE
    WHEN s.id IS NULL OR NOT s.enabled THEN 'off'
    WHEN s.fallthrough -> 'split' IS NOT NULL
      OR cardinality(s.tenant_allow) > 0
      OR cardinality(s.tenant_deny) > 0
      OR EXISTS (SELECT 1 FROM flag_rules r WHERE r.flag_state_id = s.id)
      OR EXISTS (SELECT 1 FROM tenant_overrides o WHERE o.flag_id = f.id AND o.environment_id = s.environment_id AND (o.expires_at IS NULL OR o.expires_at > ${now}))
      OR EXISTS (SELECT 1 FROM user_overrides u WHERE u.flag_id = f.id AND u.environment_id = s.environment_id AND (u.expires_at IS NULL OR u.expires_at > ${now}))
      THEN 'partial'
    WHEN s.fallthrough ->> 'variant' = f.off_variant THEN 'off'
    ELSE 'on'
  END`;
}


function filtered(workspaceId: string, query: ListFlagsQuery, environmentId: string | null, now: Date): Prisma.Sql {
  const where: Prisma.Sql[] = [Prisma.sql`f.workspace_id = ${workspaceId}::uuid`];
  where.push(query.archived ? Prisma.sql`f.archived_at IS NOT NULL` : Prisma.sql`f.archived_at IS NULL`);
  if (query.deprecated !== undefined) where.push(query.deprecated ? Prisma.sql`f.deprecated_at IS NOT NULL` : Prisma.sql`f.deprecated_at IS NULL`);
  if (query.beta !== undefined) where.push(Prisma.sql`f.is_beta = ${query.beta}`);
  if (query.type) where.push(Prisma.sql`f.type = ${query.type}::"FlagType"`);
  if (query.tag) where.push(Prisma.sql`f.tags @> ARRAY[${query.tag}]::text[]`);
  if (query.module) where.push(Prisma.sql`m.key = ${query.module}`);
  if (query.search) {
    const pattern = containsPattern(query.search);
    where.push(Prisma.sql`(f.key ILIKE ${pattern} OR f.name ILIKE ${pattern})`);
  }
  if (query.state && environmentId) where.push(Prisma.sql`(${statusSql(now)}) = ${query.state}`);
  const stateJoin = environmentId
    ? Prisma.sql`LEFT JOIN flag_states s ON s.flag_id = f.id AND s.environment_id = ${environmentId}::uuid`
    : Prisma.empty;
  return Prisma.sql`FROM flags f LEFT JOIN modules m ON m.id = f.module_id ${stateJoin} WHERE ${Prisma.join(where, " AND ")}`;
}

export const flagsListRepository = {
  /** One page of flags matching the query, each row with the total count of matches. */
  page(tx: Tx, workspaceId: string, query: ListFlagsQuery, environmentId: string | null, now: Date): Promise<FlagListRow[]> {
    const order = Prisma.raw(`${SORT_COLUMNS[query.sort]} ${query.order === "desc" ? "DESC" : "ASC"}, f.key ASC`);
    return tx.$queryRaw<FlagListRow[]>`
      SELECT f.id, f.key, f.name, f.description, f.type::text AS type, f.off_variant, f.on_variant, f.tags, f.is_beta,
             f.depends_on, f.lifecycle::text AS lifecycle, f.owner, f.deprecated_at, f.archived_at, f.version,
             f.created_at, f.updated_at, m.key AS module_key, (count(*) OVER ())::int AS total
      ${filtered(workspaceId, query, environmentId, now)}
      ORDER BY ${order}
      LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`;
  },

  /** How many flags match the query: for a page past the last one, which carries no total. */
  async count(tx: Tx, workspaceId: string, query: ListFlagsQuery, environmentId: string | null, now: Date): Promise<number> {
    const [row] = await tx.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total ${filtered(workspaceId, query, environmentId, now)}`;
    return row?.total ?? 0;
  },

  /** The states of the given flags in the given environments, with their rule and unexpired override counts. */
  states(tx: Tx, workspaceId: string, flagIds: string[], environmentIds: string[], now: Date): Promise<StateListRow[]> {
    if (flagIds.length === 0 || environmentIds.length === 0) return Promise.resolve([]);
    return tx.$queryRaw<StateListRow[]>`
      SELECT s.flag_id, s.environment_id, s.enabled, s.fallthrough, s.tenant_allow, s.tenant_deny, s.version, s.updated_at,
        (SELECT count(*) FROM flag_rules r WHERE r.flag_state_id = s.id)::int AS rule_count,
        (SELECT count(*) FROM tenant_overrides o
          WHERE o.flag_id = s.flag_id AND o.environment_id = s.environment_id AND (o.expires_at IS NULL OR o.expires_at > ${now}))::int AS override_count,
        (SELECT count(*) FROM user_overrides u
          WHERE u.flag_id = s.flag_id AND u.environment_id = s.environment_id AND (u.expires_at IS NULL OR u.expires_at > ${now}))::int AS user_override_count
      FROM flag_states s
      WHERE s.workspace_id = ${workspaceId}::uuid AND s.flag_id = ANY(${flagIds}::uuid[]) AND s.environment_id = ANY(${environmentIds}::uuid[])`;
  },
};
