import type { PrismaClient } from "../../generated/prisma/client";
import type { SqlRunner } from "../../infra/db/sql-runner";

/**
 * Reads one environment's complete evaluation input. System work: it runs on the owner
 * connection (no row-level security), through the driver directly — this read sits on the path
 * of every change reaching every replica, so it skips the ORM's overhead (an ADR records why).
 * One statement builds the whole document in PostgreSQL:
 * a single round trip, and a single statement sees one consistent snapshot of the data, so the
 * version and every row come from the same moment without a transaction.
 */

export interface EnvironmentRow {
  id: string;
  key: string;
  workspace_id: string;
  workspace_slug: string;
  snapshot_version: number;
  context_secret: string;
  context_issuer: string | null;
  context_jwks_url: string | null;
  require_context_token: boolean;
  exposed_headers: string[] | null;
  master_switch_on: boolean;
  /** Whether the environment has any identity: without one, evaluation never looks traits up. */
  has_identities: boolean;
}

export interface FlagRow {
  id: string;
  key: string;
  type: "boolean" | "string" | "number" | "json";
  variants: unknown;
  off_variant: string;
  on_variant: string;
  salt: string;
  module: string | null;
  depends_on: string[];
  deprecated: boolean;
  archived: boolean;
  track_analytics: boolean;
  enabled: boolean | null;
  fallthrough: unknown;
  tenant_allow: string[] | null;
  tenant_deny: string[] | null;
  state_version: number | null;
  rules: unknown;
}

export interface TenantOverrideRow {
  flag_id: string;
  tenant_key: string;
  variant: string;
  locked: boolean;
  /** ISO timestamp as PostgreSQL's JSON writes it. */
  expires_at: string | null;
}

export interface UserOverrideRow {
  flag_id: string;
  user_key: string;
  variant: string;
  expires_at: string | null;
}

export interface LayerOverrideRow {
  flag_id: string;
  layer_key: string;
  value: string;
  variant: string;
  locked: boolean;
  expires_at: string | null;
}

export interface LayerRow {
  key: string;
  attribute: string;
  known_values: string[];
}

export interface SegmentRow {
  key: string;
  included_users: string[];
  excluded_users: string[];
  included_tenants: string[];
  excluded_tenants: string[];
  rules: unknown;
}

export interface TenantRow {
  key: string;
  attributes: unknown;
  disabled_modules: string[];
  /** The tenant's own end-user roles. */
  roles: RoleRow[];
}

export interface RoleRow {
  key: string;
  inherits: string[];
  inherited_by: string[];
}

export interface SnapshotRows {
  environment: EnvironmentRow;
  flags: FlagRow[];
  tenantOverrides: TenantOverrideRow[];
  userOverrides: UserOverrideRow[];
  /** The workspace's override layers, in the order they were made. */
  layers: LayerRow[];
  /** The stored override order; empty for the default. */
  overrideOrder: string[];
  layerOverrides: LayerOverrideRow[];
  segments: SegmentRow[];
  tenants: TenantRow[];
  /** The workspace's own end-user roles. */
  roles: RoleRow[];
}

export const snapshotsRepository = {
  /** Everything the environment's snapshot is built from, or null when it does not exist. */
  async load(sql: SqlRunner, environmentId: string): Promise<SnapshotRows | null> {
    const [row] = await sql.query<{ rows: SnapshotRows | null }>(snapshotStatement(false), [environmentId]);
    return row?.rows ?? null;
  },

  /**
   * The rows of only these flags of the environment (their states, rules and overrides), with
   * the environment, its layers and override order as `load` reads them; no segments, tenants or
   * roles. Run inside a write's transaction after its bump, it sees exactly the bumped version.
   */
  async loadFlags(sql: Pick<SqlRunner, "query">, environmentId: string, flagIds: readonly string[], tenantIds: readonly string[] = []): Promise<SnapshotRows | null> {
    const [row] = await sql.query<{ rows: SnapshotRows | null }>(snapshotStatement(true), [environmentId, flagIds, tenantIds]);
    return row?.rows ?? null;
  },

  /** The current snapshot versions of the given environments: one cheap query for polling. */
  async versions(prisma: PrismaClient, environmentIds: string[]): Promise<Map<string, number>> {
    if (environmentIds.length === 0) return new Map();
    const rows = await prisma.environment.findMany({
      where: { id: { in: environmentIds } },
      select: { id: true, snapshotVersion: true },
    });
    return new Map(rows.map((row) => [row.id, row.snapshotVersion]));
  },

  /** The environments of a workspace, for the admin's live stream and routes by environment key. */
  async environmentsOf(prisma: PrismaClient, workspaceId: string) {
    return prisma.environment.findMany({
      where: { workspaceId },
      select: { id: true, key: true, snapshotVersion: true },
      orderBy: { sortOrder: "asc" },
    });
  },
};

/**
 * The one statement that reads an environment's rows. With `onlyFlags`, `$2` lists the flags
 * read (with their states, rules and overrides) and `$3` the tenants, and the workspace-wide
 * parts (segments, roles) are left empty.
 */
function snapshotStatement(onlyFlags: boolean): string {
  const flagsOf = (column: string) => (onlyFlags ? ` AND ${column} = ANY($2::uuid[])` : "");
  const tenants = `'tenants', COALESCE((
          SELECT json_agg(t ORDER BY t.key COLLATE "C") FROM (
            SELECT t.key, t.attributes,
                   COALESCE(array_agg(m.key ORDER BY m.key) FILTER (WHERE tm.enabled = false), '{}') AS disabled_modules,
                   COALESCE((SELECT json_agg(json_build_object('key', r.key, 'inherits', r.inherits, 'inherited_by', r.inherited_by) ORDER BY r.key)
                             FROM end_user_roles r WHERE r.tenant_id = t.id), '[]'::json) AS roles
            FROM tenants t
            LEFT JOIN tenant_modules tm ON tm.tenant_id = t.id
            LEFT JOIN modules m ON m.id = tm.module_id
            WHERE t.workspace_id = (SELECT workspace_id FROM env)${onlyFlags ? " AND t.id = ANY($3::uuid[])" : ""}
            GROUP BY t.id) t), '[]'::json)`;
  const workspaceWide = onlyFlags
    ? `'segments', '[]'::json, ${tenants}, 'roles', '[]'::json`
    : `'segments', COALESCE((
          SELECT json_agg(s ORDER BY s.key) FROM (
            SELECT key, included_users, excluded_users, included_tenants, excluded_tenants, rules
            FROM segments WHERE workspace_id = (SELECT workspace_id FROM env)) s), '[]'::json),
        ${tenants},
        'roles', COALESCE((
          SELECT json_agg(r ORDER BY r.key) FROM (
            SELECT key, inherits, inherited_by FROM end_user_roles
            WHERE workspace_id = (SELECT workspace_id FROM env) AND tenant_id IS NULL) r), '[]'::json)`;
  return `
      WITH env AS (
        SELECT e.id, e.key, e.workspace_id, w.slug AS workspace_slug, e.snapshot_version,
               e.context_secret, e.context_issuer, e.context_jwks_url, e.require_context_token,
               e.exposed_headers,
               e.master_switch_on,
               EXISTS (SELECT 1 FROM identities i WHERE i.environment_id = e.id) AS has_identities
        FROM environments e JOIN workspaces w ON w.id = e.workspace_id
        WHERE e.id = $1::uuid
      )
      SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM env) THEN NULL ELSE json_build_object(
        'environment', (SELECT row_to_json(env) FROM env),
        'flags', COALESCE((
          SELECT json_agg(f ORDER BY f.key COLLATE "C") FROM (
            SELECT f.id, f.key, f.type::text AS type, f.variants, f.off_variant, f.on_variant, f.salt,
                   m.key AS module, f.depends_on, f.deprecated_at IS NOT NULL AS deprecated,
                   f.archived_at IS NOT NULL AS archived, f.track_analytics, s.enabled, s.fallthrough, s.tenant_allow,
                   s.tenant_deny, s.version AS state_version,
                   COALESCE((SELECT json_agg(json_build_object('id', r.id, 'name', r.name, 'conditions', r.conditions, 'serve', r.serve)
                                             ORDER BY r.position, r.id)
                             FROM flag_rules r WHERE r.flag_state_id = s.id), '[]'::json) AS rules
            FROM flags f
            LEFT JOIN modules m ON m.id = f.module_id
            LEFT JOIN flag_states s ON s.flag_id = f.id AND s.environment_id = $1::uuid
            WHERE f.workspace_id = (SELECT workspace_id FROM env)${flagsOf("f.id")}) f), '[]'::json),
        'tenantOverrides', COALESCE((
          SELECT json_agg(o ORDER BY o.tenant_key) FROM (
            SELECT o.flag_id, t.key AS tenant_key, o.variant, o.locked, o.expires_at
            FROM tenant_overrides o JOIN tenants t ON t.id = o.tenant_id
            WHERE o.environment_id = $1::uuid AND (o.expires_at IS NULL OR o.expires_at > now())${flagsOf("o.flag_id")}) o), '[]'::json),
        'userOverrides', COALESCE((
          SELECT json_agg(o ORDER BY o.user_key) FROM (
            SELECT flag_id, user_key, variant, expires_at FROM user_overrides
            WHERE environment_id = $1::uuid AND (expires_at IS NULL OR expires_at > now())${flagsOf("flag_id")}) o), '[]'::json),
        'layers', COALESCE((
          SELECT json_agg(l ORDER BY l.created_at, l.id) FROM (
            SELECT key, attribute, known_values, created_at, id FROM override_layers
            WHERE workspace_id = (SELECT workspace_id FROM env)) l), '[]'::json),
        'overrideOrder', COALESCE((SELECT to_json(override_order) FROM workspaces WHERE id = (SELECT workspace_id FROM env)), '[]'::json),
        'layerOverrides', COALESCE((
          SELECT json_agg(o ORDER BY o.layer_key, o.value) FROM (
            SELECT o.flag_id, l.key AS layer_key, o.value, o.variant, o.locked, o.expires_at
            FROM layer_overrides o JOIN override_layers l ON l.id = o.layer_id
            WHERE o.environment_id = $1::uuid AND (o.expires_at IS NULL OR o.expires_at > now())${flagsOf("o.flag_id")}) o), '[]'::json),
        ${workspaceWide}
      ) END AS rows`;
}
