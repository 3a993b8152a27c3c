import { EnvironmentSnapshot, SNAPSHOT_SCHEMA_VERSION } from "@ensign/contracts/snapshot";
import { compile, evaluateAll } from "@ensign/evaluator";
import type { Condition, JsonValue, Serve, Variant } from "@ensign/contracts/targeting";
import type { PrismaClient } from "../../src/generated/prisma/client";

const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;

/**
 * The evaluator's stored `EnvironmentSnapshot` of one environment, read straight from the
 * database: the yardstick for "an import reproduces every flag's evaluations". Lists are
 * sorted by key so two snapshots compare field by field.
 */
export async function snapshotFromDb(prisma: PrismaClient, workspaceId: string, environmentKey: string): Promise<EnvironmentSnapshot> {
  const workspace = await prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
  const env = await prisma.environment.findUniqueOrThrow({ where: { workspaceId_key: { workspaceId, key: environmentKey } } });
  const flags = await prisma.flag.findMany({
    where: { workspaceId },
    orderBy: { key: "asc" },
    include: {
      module: true,
      states: { where: { environmentId: env.id }, include: { rules: { orderBy: { position: "asc" } } } },
      tenantOverrides: { where: { environmentId: env.id }, include: { tenant: true } },
      userOverrides: { where: { environmentId: env.id } },
    },
  });
  const segments = await prisma.segment.findMany({ where: { workspaceId }, orderBy: { key: "asc" } });
  const tenants = await prisma.tenant.findMany({ where: { workspaceId }, orderBy: { key: "asc" }, include: { modules: { include: { module: true } } } });
  const identities = await prisma.identity.findMany({ where: { environmentId: env.id }, orderBy: { key: "asc" } });

  return EnvironmentSnapshot.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    workspace: workspace.slug,
    environment: env.key,
    version: env.snapshotVersion,
    generatedAt: new Date().toISOString(),
    flags: flags.map((flag) => {
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
        archived: flag.archivedAt !== null,
        state: {
          enabled: state?.enabled ?? false,
          rules: (state?.rules ?? []).map((rule) => ({
            id: rule.id,
            ...(rule.name ? { name: rule.name } : {}),
            conditions: rule.conditions as Condition[],
            serve: rule.serve as Serve,
          })),
          fallthrough: (state?.fallthrough as Serve | undefined) ?? { variant: flag.offVariant },
          tenantAllow: state?.tenantAllow ?? [],
          tenantDeny: state?.tenantDeny ?? [],
          tenantOverrides: flag.tenantOverrides
            .map((o) => ({ tenantKey: o.tenant.key, variant: o.variant, locked: o.locked, expiresAt: isoOrNull(o.expiresAt) }))
            .sort((a, b) => a.tenantKey.localeCompare(b.tenantKey)),
          userOverrides: flag.userOverrides
            .map((o) => ({ userKey: o.userKey, variant: o.variant, expiresAt: isoOrNull(o.expiresAt) }))
            .sort((a, b) => a.userKey.localeCompare(b.userKey)),
          version: state?.version ?? 0,
        },
      };
    }),
    segments: segments.map((s) => ({
      key: s.key,
      includedUsers: s.includedUsers,
      excludedUsers: s.excludedUsers,
      includedTenants: s.includedTenants,
      excludedTenants: s.excludedTenants,
      rules: s.rules as { conditions: Condition[] }[],
    })),
    tenants: tenants.map((tenant) => ({
      key: tenant.key,
      attributes: tenant.attributes as Record<string, JsonValue>,
      disabledModules: tenant.modules.filter((m) => !m.enabled).map((m) => m.module.key).sort(),
    })),
    identities: identities.map((identity) => ({ key: identity.key, traits: identity.traits as Record<string, JsonValue> })),
  });
}

/** A snapshot without what differs between two stores of the same content: ids, versions of the whole, times, workspace. */
export function comparable(snapshot: EnvironmentSnapshot) {
  const { version: _v, generatedAt: _g, workspace: _w, ...rest } = snapshot;
  return {
    ...rest,
    flags: rest.flags.map((flag) => ({ ...flag, state: { ...flag.state, rules: flag.state.rules.map(({ id: _id, ...rule }) => rule) } })),
  };
}

/**
 * Every flag's evaluation for every context, with rule ids replaced by the rule's position in
 * its flag (ids are new after an import; which rule decided must not be).
 */
export function evaluationsOf(snapshot: EnvironmentSnapshot, contexts: Record<string, unknown>[], now: number) {
  const position = new Map(snapshot.flags.flatMap((flag) => flag.state.rules.map((rule, index) => [rule.id, `${flag.key}#${index}`] as const)));
  const compiled = compile(snapshot);
  return contexts.flatMap((context) =>
    evaluateAll(compiled, context, { now }).map(({ ruleId, detail, ...result }) => ({
      context: context.targetingKey,
      ...result,
      ...(ruleId ? { rule: position.get(ruleId) } : {}),
      detail: ruleId ? detail.replace(ruleId, position.get(ruleId) ?? "?") : detail,
    })),
  );
}
