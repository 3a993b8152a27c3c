import { lookupsRepository as lookups, type EnvironmentRow } from "../../infra/db/lookups.repository";
import type { Tx } from "../../infra/db/scoped";
import { statusSql } from "../flags/flags-list.repository";

export interface OverviewRow {
  environments: { key: string; name: string; is_production: boolean; on: number; off: number; partial: number; switch_on: boolean; switch_reason: string | null; switch_changed_at: string | null }[];
  change_total: number;
  changes: { id: string; at: string; action: string; actor: string | null; environment: string | null; target_type: string; target_key: string | null }[];
  schedules: { id: string; flag: string; flag_name: string; environment: string; run_at: string; action: string }[];
  most: { flag: string; name: string; evaluations: number; created_at: string }[];
  least: { flag: string; name: string; evaluations: number; created_at: string }[];
}

const LIST_LIMIT = 8;

/** Where the overview service reads, inside the transaction it is given; every method keeps to the workspace. */
export interface OverviewRepository {
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentRow | null>;
  /**
   * Everything the overview shows, in one statement: each environment's live flags by status and
   * its master switch, the last day's audit entries, the soonest pending schedules, and the live
   * flags evaluated most and least in `usageEnvironmentId` since `usageSince`.
   */
  read(tx: Tx, workspaceId: string, usageEnvironmentId: string, now: Date, changesSince: Date, usageSince: Date): Promise<OverviewRow>;
}

/** The overview over PostgreSQL, bound by row-level security through the transaction. */
export function createOverviewRepository(): OverviewRepository {
  return {
    findEnvironment: (tx, workspaceId, key) => lookups.findEnvironment(tx, workspaceId, key),
    read: readOverview,
  };
}

async function readOverview(tx: Tx, workspaceId: string, usageEnvironmentId: string, now: Date, changesSince: Date, usageSince: Date): Promise<OverviewRow> {
  const [row] = await tx.$queryRaw<{ overview: OverviewRow }[]>`
    WITH live AS (
      SELECT f.id, f.key, f.name, f.off_variant, f.on_variant, f.track_analytics, f.created_at FROM flags f
      WHERE f.workspace_id = ${workspaceId}::uuid AND f.archived_at IS NULL
    ),
    statuses AS (
      SELECT e.id AS environment_id, ${statusSql(now)} AS status
      FROM environments e CROSS JOIN live f
      LEFT JOIN flag_states s ON s.flag_id = f.id AND s.environment_id = e.id
      WHERE e.workspace_id = ${workspaceId}::uuid
    ),
    env_counts AS (
      SELECT e.key, e.name, e.is_production, e.sort_order,
             count(st.status) FILTER (WHERE st.status = 'on')::int AS on,
             count(st.status) FILTER (WHERE st.status = 'off')::int AS off,
             count(st.status) FILTER (WHERE st.status = 'partial')::int AS partial,
             e.master_switch_on AS switch_on, e.master_switch_reason AS switch_reason, e.master_switch_changed_at AS switch_changed_at
      FROM environments e LEFT JOIN statuses st ON st.environment_id = e.id
      WHERE e.workspace_id = ${workspaceId}::uuid
      GROUP BY e.id
    ),
    changes AS (
      SELECT a.id::text AS id, a.at, a.action, coalesce(a.actor_name, a.actor_email, a.actor_id) AS actor, a.environment_key AS environment,
             a.target_type, a.target_key
      FROM audit_entries a WHERE a.workspace_id = ${workspaceId}::uuid AND a.at > ${changesSince}
    ),
    latest AS (SELECT * FROM changes ORDER BY at DESC, id DESC LIMIT ${LIST_LIMIT}),
    upcoming AS (
      SELECT sc.id, f.key AS flag, f.name AS flag_name, e.key AS environment, sc.run_at, sc.action ->> 'type' AS action
      FROM schedules sc JOIN live f ON f.id = sc.flag_id JOIN environments e ON e.id = sc.environment_id
      WHERE sc.workspace_id = ${workspaceId}::uuid AND sc.status = 'pending'
      ORDER BY sc.run_at, sc.id LIMIT ${LIST_LIMIT}
    ),
    usage AS (
      SELECT f.key AS flag, f.name, f.created_at, coalesce(sum(b.evaluations), 0)::bigint AS evaluations
      FROM live f
      LEFT JOIN flag_stat_buckets b ON b.environment_id = ${usageEnvironmentId}::uuid AND b.flag_key = f.key AND b.bucket_start >= ${usageSince}
      WHERE f.track_analytics
      GROUP BY f.key, f.name, f.created_at
    )
    SELECT json_build_object(
      'environments', (SELECT coalesce(json_agg(env_counts ORDER BY sort_order, key), '[]'::json) FROM env_counts),
      'change_total', (SELECT count(*)::int FROM changes),
      'changes', (SELECT coalesce(json_agg(latest ORDER BY at DESC, id DESC), '[]'::json) FROM latest),
      'schedules', (SELECT coalesce(json_agg(upcoming ORDER BY run_at, id), '[]'::json) FROM upcoming),
      'most', (SELECT coalesce(json_agg(m), '[]'::json) FROM (SELECT * FROM usage WHERE evaluations > 0 ORDER BY evaluations DESC, flag LIMIT 5) m),
      'least', (SELECT coalesce(json_agg(l), '[]'::json) FROM (SELECT * FROM usage ORDER BY evaluations, created_at, flag LIMIT 5) l)
    ) AS overview`;
  return row!.overview;
}
