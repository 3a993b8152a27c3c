import { FLAG_STATE_SORTS, type ListFlagsQuery } from "@ensign/contracts/flags";
import { WEIGHT_TOTAL, type Serve } from "@ensign/contracts/targeting";
import { containsPattern } from "../../infra/like";
import { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { flagsRepository, type EnvironmentRef } from "./flags.repository";

/**
 * The allow-list of sort expressions. The state sorts read `s`, the flag's state in the filtered
 * environment: status ranks off, partial, on (as the status filter computes it); rollout is the
 * share of the fallthrough served the on variant (0 when disabled); rules counts the state's rules.
 */
function sortSql(sort: ListFlagsQuery["sort"], now: Date): Prisma.Sql {
  switch (sort) {
    case "key": return Prisma.sql`f.key`;
    case "name": return Prisma.sql`f.name`;
    case "createdAt": return Prisma.sql`f.created_at`;
    case "updatedAt": return Prisma.sql`f.updated_at`;
    case "type": return Prisma.sql`f.type::text`;
    case "module": return Prisma.sql`m.key`;
    case "status": return Prisma.sql`(CASE (${statusSql(now)}) WHEN 'off' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END)`;
    case "rules": return Prisma.sql`(SELECT count(*) FROM flag_rules r WHERE r.flag_state_id = s.id)`;
    case "rollout":
      return Prisma.sql`(CASE
        WHEN s.id IS NULL OR NOT s.enabled THEN 0
        WHEN s.fallthrough ->> 'variant' IS NOT NULL THEN (CASE WHEN s.fallthrough ->> 'variant' = f.on_variant THEN ${WEIGHT_TOTAL}::int ELSE 0 END)
        ELSE coalesce((SELECT sum((a ->> 'weight')::int) FROM jsonb_array_elements(s.fallthrough -> 'split' -> 'allocations') a WHERE a ->> 'variant' = f.on_variant), 0)
      END)`;
  }
}

/** Whether the query joins the flag's state in the filtered environment (to filter or sort by it). */
const needsState = (query: ListFlagsQuery, environmentId: string | null) => environmentId !== null && (query.state !== undefined || FLAG_STATE_SORTS.includes(query.sort));

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
  tenant_manageable: boolean;
  feedback_url: string | null;
  depends_on: string[];
  lifecycle: "temporary" | "permanent";
  owner: string | null;
  track_analytics: boolean;
  deprecated_at: Date | null;
  archived_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
  module_key: string | null;
  total: number;
}

/** A flag's state in one environment, with its rule and unexpired override counts; null columns when it has none yet. */
export interface StateListRow {
  state_environment_id: string | null;
  state_enabled: boolean | null;
  state_fallthrough: Serve | null;
  state_tenant_allow: string[] | null;
  state_tenant_deny: string[] | null;
  state_version: number | null;
  state_updated_at: Date | null;
  rule_count: number;
  override_count: number;
  user_override_count: number;
  layer_override_count: number;
}

/**
 * The status of `f`'s state `s` in SQL, as `statusOf` (state-summary.ts) computes it in
 * TypeScript: a missing state counts as off.
 */
export function statusSql(now: Date): Prisma.Sql {
  return Prisma.sql`CASE
    WHEN s.id IS NULL OR NOT s.enabled THEN 'off'
    WHEN s.fallthrough -> 'split' IS NOT NULL
      OR cardinality(s.tenant_allow) > 0
      OR cardinality(s.tenant_deny) > 0
      OR EXISTS (SELECT 1 FROM flag_rules r WHERE r.flag_state_id = s.id)
      OR EXISTS (SELECT 1 FROM tenant_overrides o WHERE o.flag_id = f.id AND o.environment_id = s.environment_id AND (o.expires_at IS NULL OR o.expires_at > ${now}))
      OR EXISTS (SELECT 1 FROM user_overrides u WHERE u.flag_id = f.id AND u.environment_id = s.environment_id AND (u.expires_at IS NULL OR u.expires_at > ${now}))
      OR EXISTS (SELECT 1 FROM layer_overrides l WHERE l.flag_id = f.id AND l.environment_id = s.environment_id AND (l.expires_at IS NULL OR l.expires_at > ${now}))
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
  const byState = query.state !== undefined && environmentId !== null;
  if (byState) where.push(Prisma.sql`(${statusSql(now)}) = ${query.state}`);
  // The state is joined only to filter or sort on it; the page's states are joined after the LIMIT.
  const stateJoin = needsState(query, environmentId) ? Prisma.sql`LEFT JOIN flag_states s ON s.flag_id = f.id AND s.environment_id = ${environmentId}::uuid` : Prisma.empty;
  return Prisma.sql`FROM flags f LEFT JOIN modules m ON m.id = f.module_id ${stateJoin} WHERE ${Prisma.join(where, " AND ")}`;
}

/** Where the flags table reads, inside the transaction it is given; every method keeps to the workspace. */
export interface FlagsListRepository {
  /** The workspace's environments, in their display order. */
  environments(tx: Tx, workspaceId: string): Promise<EnvironmentRef[]>;
  /**
   * One page of flags matching the query: a row per flag and environment of `environmentIds`
   * (the flag's state there with its counts; null state columns where it has none), each
   * carrying the total count of matching flags. `filterEnvironmentId` is the environment `state`
   * filters and the state sorts read.
   */
  page(tx: Tx, workspaceId: string, query: ListFlagsQuery, environmentIds: string[], filterEnvironmentId: string | null, now: Date): Promise<(FlagListRow & StateListRow)[]>;
  /** How many flags match the query: for a page past the last one, which carries no total. */
  count(tx: Tx, workspaceId: string, query: ListFlagsQuery, filterEnvironmentId: string | null, now: Date): Promise<number>;
}

/** The flags table over PostgreSQL, bound by row-level security through the transaction. */
export function createFlagsListRepository(): FlagsListRepository {
  const list = flagsListRepository;
  return {
    environments: (tx, workspaceId) => flagsRepository.environments(tx, workspaceId),
    page: (tx, workspaceId, query, environmentIds, filterEnvironmentId, now) => list.page(tx, workspaceId, query, environmentIds, filterEnvironmentId, now),
    count: (tx, workspaceId, query, filterEnvironmentId, now) => list.count(tx, workspaceId, query, filterEnvironmentId, now),
  };
}

export const flagsListRepository = {
  /**
   * One page of flags matching the query, in one statement: a row per flag and environment of
   * `environmentIds` (the flag's state there with its counts), each carrying the total count of
   * matching flags. `filterEnvironmentId` is the environment `state` filters on.
   */
  page(tx: Tx, workspaceId: string, query: ListFlagsQuery, environmentIds: string[], filterEnvironmentId: string | null, now: Date): Promise<(FlagListRow & StateListRow)[]> {
    // Flags without a module come after every module in both directions.
    const order = Prisma.sql`${query.sort === "module" ? Prisma.sql`m.key IS NULL, ` : Prisma.empty}${sortSql(query.sort, now)} ${Prisma.raw(query.order === "desc" ? "DESC" : "ASC")}, f.key ASC`;
    return tx.$queryRaw<(FlagListRow & StateListRow)[]>`
      WITH page AS (
        SELECT f.id, f.key, f.name, f.description, f.type::text AS type, f.off_variant, f.on_variant, f.tags, f.is_beta, f.tenant_manageable, f.feedback_url,
               f.depends_on, f.lifecycle::text AS lifecycle, f.owner, f.track_analytics, f.deprecated_at, f.archived_at, f.version,
               f.created_at, f.updated_at, m.key AS module_key, (count(*) OVER ())::int AS total,
               row_number() OVER (ORDER BY ${order}) AS ord
        ${filtered(workspaceId, query, filterEnvironmentId, now)}
        ORDER BY ${order}
        LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}
      )
      SELECT page.*, st.environment_id AS state_environment_id, st.enabled AS state_enabled, st.fallthrough AS state_fallthrough,
        st.tenant_allow AS state_tenant_allow, st.tenant_deny AS state_tenant_deny, st.version AS state_version, st.updated_at AS state_updated_at,
        (SELECT count(*) FROM flag_rules r WHERE r.flag_state_id = st.id)::int AS rule_count,
        (SELECT count(*) FROM tenant_overrides o
          WHERE o.flag_id = page.id AND o.environment_id = st.environment_id AND (o.expires_at IS NULL OR o.expires_at > ${now}))::int AS override_count,
        (SELECT count(*) FROM user_overrides u
          WHERE u.flag_id = page.id AND u.environment_id = st.environment_id AND (u.expires_at IS NULL OR u.expires_at > ${now}))::int AS user_override_count,
        (SELECT count(*) FROM layer_overrides l
          WHERE l.flag_id = page.id AND l.environment_id = st.environment_id AND (l.expires_at IS NULL OR l.expires_at > ${now}))::int AS layer_override_count
      FROM page
      LEFT JOIN flag_states st ON st.flag_id = page.id AND st.environment_id = ANY(${environmentIds}::uuid[])
      ORDER BY page.ord`;
  },

  /** How many flags match the query: for a page past the last one, which carries no total. */
  async count(tx: Tx, workspaceId: string, query: ListFlagsQuery, filterEnvironmentId: string | null, now: Date): Promise<number> {
    const [row] = await tx.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total ${filtered(workspaceId, query, filterEnvironmentId, now)}`;
    return row?.total ?? 0;
  },
};
