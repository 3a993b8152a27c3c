import { SNAPSHOT_SCHEMA_VERSION, type EnvironmentSnapshot, type SnapshotFlag } from "@ensign/contracts/snapshot";
import type { Rule, Serve, Variant } from "@ensign/contracts/targeting";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { SnapshotRows } from "./snapshots.repository";

type Grouped<T> = Map<string, T[]>;

function groupBy<T>(rows: T[], keyOf: (row: T) => string): Grouped<T> {
  const groups: Grouped<T> = new Map();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

const iso = (date: string | null) => (date ? new Date(date).toISOString() : null);
const asRecord = (value: unknown) => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, JsonValue>) : {});

/**
 * Turns the rows of one environment into the stored snapshot. Pure: the same rows give the same
 * snapshot (apart from `generatedAt`). A flag without a state row in this environment is off.
 */
export function buildSnapshot(rows: SnapshotRows, now: Date = new Date()): EnvironmentSnapshot {
  const tenantOverrides = groupBy(rows.tenantOverrides, (row) => row.flag_id);
  const userOverrides = groupBy(rows.userOverrides, (row) => row.flag_id);
  // Rows written before layers existed (a copy in Redis) have none.
  const layers = rows.layers ?? [];
  const hasLayers = layers.length > 0;
  const layerOverrides = groupBy(rows.layerOverrides ?? [], (row) => row.flag_id);
  const order = rows.overrideOrder ?? [];

  const flags: SnapshotFlag[] = rows.flags.map((row) => ({
    key: row.key,
    type: row.type,
    variants: row.variants as Variant[],
    offVariant: row.off_variant,
    onVariant: row.on_variant,
    salt: row.salt,
    module: row.module,
    dependsOn: row.depends_on,
    deprecated: row.deprecated,
    archived: row.archived,
    // Carried only when off, so the statistics' hot path skips the flag without a lookup elsewhere.
    ...(row.track_analytics === false ? { trackAnalytics: false } : {}),
    state: {
      enabled: row.enabled ?? false,
      rules: (row.rules as Rule[]).map((rule) => (rule.name == null ? { id: rule.id, conditions: rule.conditions, serve: rule.serve } : rule)),
      fallthrough: (row.fallthrough as Serve | null) ?? { variant: row.off_variant },
      tenantAllow: row.tenant_allow ?? [],
      tenantDeny: row.tenant_deny ?? [],
      tenantOverrides: (tenantOverrides.get(row.id) ?? []).map((o) => ({
        tenantKey: o.tenant_key,
        variant: o.variant,
        locked: o.locked,
        expiresAt: iso(o.expires_at),
      })),
      userOverrides: (userOverrides.get(row.id) ?? []).map((o) => ({ userKey: o.user_key, variant: o.variant, expiresAt: iso(o.expires_at) })),
      // Only in workspaces with layers, so every other snapshot reads exactly as before.
      ...(hasLayers
        ? {
            layerOverrides: (layerOverrides.get(row.id) ?? []).map((o) => ({
              layer: o.layer_key,
              value: o.value,
              variant: o.variant,
              locked: o.locked,
              expiresAt: iso(o.expires_at),
            })),
          }
        : {}),
      version: row.state_version ?? 0,
    },
  }));

  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    workspace: rows.environment.workspace_slug,
    environment: rows.environment.key,
    version: rows.environment.snapshot_version,
    generatedAt: now.toISOString(),
    masterSwitch: rows.environment.master_switch_on === true,
    ...(hasLayers ? { layers: layers.map((l) => ({ key: l.key, attribute: l.attribute, values: l.known_values ?? [] })) } : {}),
    ...(order.length > 0 ? { precedence: order } : {}),
    flags,
    segments: rows.segments.map((s) => ({
      key: s.key,
      includedUsers: s.included_users,
      excludedUsers: s.excluded_users,
      includedTenants: s.included_tenants,
      excludedTenants: s.excluded_tenants,
      rules: Array.isArray(s.rules) ? (s.rules as EnvironmentSnapshot["segments"][number]["rules"]) : [],
    })),
    roles: (rows.roles ?? []).map((r) => ({ key: r.key, inherits: r.inherits ?? [] })),
    tenants: rows.tenants.map((t) => ({
      key: t.key,
      attributes: asRecord(t.attributes),
      disabledModules: t.disabled_modules,
      ...(t.roles?.length ? { roles: t.roles.map((r) => ({ key: r.key, inherits: r.inherits ?? [], inheritedBy: r.inherited_by ?? [] })) } : {}),
    })),
    // Identities' traits live in PostgreSQL and the traits cache, never in the snapshot.
    identities: [],
  };
}
