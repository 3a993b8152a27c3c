import { SNAPSHOT_SCHEMA_VERSION, type EnvironmentSnapshot, type SnapshotFlag } from "@ensign/contracts/snapshot";
import type { Condition, JsonValue, Rule, Serve, Variant } from "@ensign/contracts/targeting";
import type { Tx } from "../../infra/db/scoped";

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
  const tenantKeys = [...scope.tenantKeys];
  const graph = await tx.flag.findMany({ where: { workspaceId, archivedAt: null }, select: { key: true, dependsOn: true } });
  const keys = scope.flagKeys
    ? [...prerequisiteClosure(new Map(graph.map((flag) => [flag.key, flag.dependsOn])), scope.flagKeys)]
    : graph.map((flag) => flag.key);

  // One after another: a transaction is one connection, and pg refuses overlapping queries on it.
  const flags = await tx.flag.findMany({
      where: { workspaceId, archivedAt: null, key: { in: keys } },
      orderBy: { key: "asc" },
      select: {
        key: true,
        type: true,
        variants: true,
        offVariant: true,
        onVariant: true,
        salt: true,
        dependsOn: true,
        deprecatedAt: true,
        module: { select: { key: true } },
        states: {
          where: { environmentId: environment.id },
          select: {
            enabled: true,
            fallthrough: true,
            tenantAllow: true,
            tenantDeny: true,
            version: true,
            rules: { orderBy: { position: "asc" }, select: { id: true, name: true, conditions: true, serve: true } },
          },
        },
        tenantOverrides: {
          where: { environmentId: environment.id, tenant: { key: { in: tenantKeys } } },
          select: { variant: true, locked: true, expiresAt: true, tenant: { select: { key: true } } },
        },
        userOverrides: {
          where: { environmentId: environment.id, userKey: { in: tenantKeys } },
          select: { userKey: true, variant: true, expiresAt: true },
        },
      },
    });
  const segments = await tx.segment.findMany({ where: { workspaceId } });
  const tenants = await tx.tenant.findMany({
      where: { workspaceId, key: { in: tenantKeys } },
      select: { key: true, attributes: true, modules: { where: { enabled: false }, select: { module: { select: { key: true } } } } },
    });
  const identities = await tx.identity.findMany({
    where: { workspaceId, environmentId: environment.id, key: { in: tenantKeys } },
    select: { key: true, traits: true },
  });

  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    workspace: workspaceId,
    environment: environment.key,
    version: environment.snapshotVersion,
    generatedAt: new Date().toISOString(),
    flags: flags.map((flag): SnapshotFlag => {
      const state = flag.states[0];
      return {
        key: flag.key,
        type: flag.type,
        variants: flag.variants as Variant[],
        offVariant: flag.offVariant,
        onVariant: flag.onVariant,
        salt: flag.salt,
        module: flag.module?.key ?? null,
        dependsOn: flag.dependsOn,
        deprecated: flag.deprecatedAt !== null,
        archived: false,
        state: {
          // A flag without state in this environment is off there.
          enabled: state?.enabled ?? false,
          rules: (state?.rules ?? []).map(
            (rule): Rule => ({ id: rule.id, ...(rule.name ? { name: rule.name } : {}), conditions: rule.conditions as Condition[], serve: rule.serve as Serve }),
          ),
          fallthrough: (state?.fallthrough as Serve | undefined) ?? { variant: flag.offVariant },
          tenantAllow: state?.tenantAllow ?? [],
          tenantDeny: state?.tenantDeny ?? [],
          tenantOverrides: flag.tenantOverrides.map((o) => ({
            tenantKey: o.tenant.key,
            variant: o.variant,
            locked: o.locked,
            expiresAt: o.expiresAt?.toISOString() ?? null,
          })),
          userOverrides: flag.userOverrides.map((o) => ({ userKey: o.userKey, variant: o.variant, expiresAt: o.expiresAt?.toISOString() ?? null })),
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
    tenants: tenants.map((tenant) => ({
      key: tenant.key,
      attributes: tenant.attributes as Record<string, JsonValue>,
      disabledModules: tenant.modules.map((m) => m.module.key),
    })),
    identities: identities.map((identity) => ({ key: identity.key, traits: identity.traits as Record<string, JsonValue> })),
  };
}
