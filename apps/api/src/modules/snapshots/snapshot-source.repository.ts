import { SNAPSHOT_SCHEMA_VERSION, type EnvironmentSnapshot, type SnapshotFlag } from "@ensign/contracts/snapshot";
import type { Condition, JsonValue, Rule, Serve, Variant } from "@ensign/contracts/targeting";
import type { Tx } from "../../infra/db/scoped";
import { snapshotTenantsRepository as people } from "./snapshot-tenants.repository";

/** What part of an environment an evaluation needs: some flags (with their prerequisites) for some tenants. */
export interface SnapshotScope {
  /** Flags to evaluate; every live flag when absent. Their prerequisites come along. */
  flagKeys?: readonly string[];
  /** The tenants whose contexts are evaluated. */
  tenantKeys: readonly string[];
}

export interface SnapshotEnvironment {
  id: string;
  key: string;
  snapshotVersion: number;
}

/** Every flag the given ones need to evaluate: themselves and, transitively, their prerequisites. */
export function prerequisiteClosure(all: ReadonlyMap<string, readonly string[]>, keys: readonly string[]): Set<string> {
  const needed = new Set<string>();
  const queue = [...keys];
  while (queue.length > 0) {
    const key = queue.pop()!;
    if (needed.has(key) || !all.has(key)) continue;
    needed.add(key);
    queue.push(...all.get(key)!);
  }
  return needed;
}

/**
 * Reads the part of an environment's snapshot that evaluating `scope` needs, in the stored
 * snapshot's own form, so the evaluator's `compile` takes it as it is. Archived flags are left
 * out: the evaluator answers them as not found.
 */
export async function readSnapshot(tx: Tx, workspaceId: string, environment: SnapshotEnvironment, scope: SnapshotScope): Promise<EnvironmentSnapshot> {
  const environmentId = environment.id;
  const tenantKeys = [...scope.tenantKeys];
  // Flat queries, one after another: a transaction is one connection (pg refuses overlapping
  // queries on it), and filters on indexed columns beat nested relation loading at 1,000s of rows.
  const flagIds = scope.flagKeys ? await neededFlagIds(tx, workspaceId, scope.flagKeys) : undefined;
  const byFlag = flagIds ? { flagId: { in: flagIds } } : {};
  const flags = await tx.flag.findMany({
    where: { workspaceId, archivedAt: null, ...(flagIds ? { id: { in: flagIds } } : {}) },
    orderBy: { key: "asc" },
    select: { id: true, key: true, type: true, variants: true, offVariant: true, onVariant: true, salt: true, dependsOn: true, deprecatedAt: true, moduleId: true, trackAnalytics: true },
  });
  const modules = await tx.module.findMany({ where: { workspaceId }, select: { id: true, key: true } });
  const states = await tx.flagState.findMany({
    where: { workspaceId, environmentId, ...byFlag },
    select: { id: true, flagId: true, enabled: true, fallthrough: true, tenantAllow: true, tenantDeny: true, version: true },
  });
  const rules = await tx.flagRule.findMany({
    where: { workspaceId, flagState: { environmentId, ...byFlag } },
    orderBy: [{ flagStateId: "asc" }, { position: "asc" }],
    select: { id: true, flagStateId: true, name: true, conditions: true, serve: true },
  });
  const tenants = await people.tenants(tx, workspaceId, tenantKeys);
  const tenantIds = tenants.map((tenant) => tenant.id);
  const tenantKeyOf = new Map(tenants.map((tenant) => [tenant.id, tenant.key]));
  const disabled = await people.disabledModules(tx, workspaceId, tenantIds);
  const tenantOverrides = await people.tenantOverrides(tx, workspaceId, environmentId, tenantIds, flagIds);
  const userOverrides = await people.userOverrides(tx, workspaceId, environmentId, tenantKeys, flagIds);
  const segments = await tx.segment.findMany({ where: { workspaceId } });
  const roles = await tx.endUserRole.findMany({
    where: { workspaceId, OR: [{ tenantId: null }, { tenantId: { in: tenantIds } }] },
    orderBy: { key: "asc" },
    select: { tenantId: true, key: true, inherits: true, inheritedBy: true },
  });
  const layers = await tx.overrideLayer.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, key: true, attribute: true, values: true } });
  const order = layers.length === 0 ? [] : ((await tx.workspace.findUnique({ where: { id: workspaceId }, select: { overrideOrder: true } }))?.overrideOrder ?? []);
  const layerOverrides =
    layers.length === 0
      ? []
      : await tx.layerOverride.findMany({
          where: { workspaceId, environmentId, ...byFlag, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
          orderBy: [{ value: "asc" }],
          select: { flagId: true, layerId: true, value: true, variant: true, locked: true, expiresAt: true },
        });
  const layerKeyOf = new Map(layers.map((layer) => [layer.id, layer.key]));
  const layerOverridesOf = groupBy(layerOverrides, (o) => o.flagId);
  const identities = await people.identities(tx, workspaceId, environmentId, tenantKeys);

  const moduleKey = new Map(modules.map((module) => [module.id, module.key]));
  const disabledOf = groupBy(disabled, (d) => d.tenant_id);
  const stateOf = new Map(states.map((state) => [state.flagId, state]));
  const rulesOf = groupBy(rules, (rule) => rule.flagStateId);
  const tenantOverridesOf = groupBy(tenantOverrides, (o) => o.flag_id);
  const userOverridesOf = groupBy(userOverrides, (o) => o.flag_id);
  const tenantRolesOf = groupBy(
    roles.filter((role) => role.tenantId !== null),
    (role) => role.tenantId!,
  );
  const iso = (date: Date | null) => date?.toISOString() ?? null;

  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    workspace: workspaceId,
    environment: environment.key,
    version: environment.snapshotVersion,
    generatedAt: new Date().toISOString(),
    ...(layers.length > 0 ? { layers: layers.map((layer) => ({ key: layer.key, attribute: layer.attribute, values: layer.values })) } : {}),
    ...(order.length > 0 ? { precedence: order } : {}),
    flags: flags.map((flag): SnapshotFlag => {
      const state = stateOf.get(flag.id);
      return {
        key: flag.key,
        type: flag.type,
        variants: flag.variants as Variant[],
        offVariant: flag.offVariant,
        onVariant: flag.onVariant,
        salt: flag.salt,
        module: flag.moduleId ? (moduleKey.get(flag.moduleId) ?? null) : null,
        dependsOn: flag.dependsOn,
        deprecated: flag.deprecatedAt !== null,
        archived: false,
        ...(flag.trackAnalytics ? {} : { trackAnalytics: false }),
        state: {
          // A flag without state in this environment is off there.
          enabled: state?.enabled ?? false,
          rules: (state ? (rulesOf.get(state.id) ?? []) : []).map(
            (rule): Rule => ({ id: rule.id, ...(rule.name ? { name: rule.name } : {}), conditions: rule.conditions as Condition[], serve: rule.serve as Serve }),
          ),
          fallthrough: (state?.fallthrough as Serve | undefined) ?? { variant: flag.offVariant },
          tenantAllow: state?.tenantAllow ?? [],
          tenantDeny: state?.tenantDeny ?? [],
          tenantOverrides: (tenantOverridesOf.get(flag.id) ?? []).map((o) => ({
            tenantKey: tenantKeyOf.get(o.tenant_id)!,
            variant: o.variant,
            locked: o.locked,
            expiresAt: iso(o.expires_at),
          })),
          userOverrides: (userOverridesOf.get(flag.id) ?? []).map((o) => ({ userKey: o.user_key, variant: o.variant, expiresAt: iso(o.expires_at) })),
          ...(layers.length > 0
            ? {
                layerOverrides: (layerOverridesOf.get(flag.id) ?? []).map((o) => ({
                  layer: layerKeyOf.get(o.layerId)!,
                  value: o.value,
                  variant: o.variant,
                  locked: o.locked,
                  expiresAt: iso(o.expiresAt),
                })),
              }
            : {}),
          version: state?.version ?? 0,
        },
      };
    }),
    segments: segments.map((segment) => ({
      key: segment.key,
      includedUsers: segment.includedUsers,
      excludedUsers: segment.excludedUsers,
      includedTenants: segment.includedTenants,
      excludedTenants: segment.excludedTenants,
      rules: segment.rules as { conditions: Condition[] }[],
    })),
    roles: roles.filter((role) => role.tenantId === null).map((role) => ({ key: role.key, inherits: role.inherits })),
    tenants: tenants.map((tenant) => {
      const own = tenantRolesOf.get(tenant.id);
      return {
        key: tenant.key,
        attributes: tenant.attributes as Record<string, JsonValue>,
        disabledModules: (disabledOf.get(tenant.id) ?? []).map((d) => d.module_key),
        ...(own ? { roles: own.map((role) => ({ key: role.key, inherits: role.inherits, inheritedBy: role.inheritedBy })) } : {}),
      };
    }),
    identities: identities.map((identity) => ({ key: identity.key, traits: identity.traits as Record<string, JsonValue> })),
  };
}

/** Ids of the given flags and, transitively, their prerequisites. */
async function neededFlagIds(tx: Tx, workspaceId: string, keys: readonly string[]): Promise<string[]> {
  const graph = await tx.flag.findMany({ where: { workspaceId, archivedAt: null }, select: { id: true, key: true, dependsOn: true } });
  const needed = prerequisiteClosure(new Map(graph.map((flag) => [flag.key, flag.dependsOn])), keys);
  return graph.filter((flag) => needed.has(flag.key)).map((flag) => flag.id);
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
