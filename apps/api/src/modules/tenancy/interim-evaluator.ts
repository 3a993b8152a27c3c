import type { EvaluationResult, Reason } from "@ensign/contracts/evaluation";
import type { EnvironmentSnapshot, SnapshotFlag } from "@ensign/contracts/snapshot";
import type { JsonValue } from "@ensign/contracts/targeting";

/*
 * A stand-in for `@ensign/evaluator` until it lands: the same entry points (`compile`,
 * `evaluate`) and the decision order of SPEC §2 for everything a tenant's context can meet —
 * modules, kill switch, prerequisites, user and tenant overrides, allow and deny lists, and a
 * fixed fallthrough. Targeting rules and percentage splits are the evaluator's; here rules are
 * skipped and a split serves its largest allocation. Replaced by the real evaluator, not extended.
 */

export interface CompiledSnapshot {
  readonly flags: ReadonlyMap<string, SnapshotFlag>;
  readonly disabledModules: ReadonlyMap<string, ReadonlySet<string>>;
}

export function compile(snapshot: EnvironmentSnapshot): CompiledSnapshot {
  return {
    flags: new Map(snapshot.flags.map((flag) => [flag.key, flag])),
    disabledModules: new Map(snapshot.tenants.map((tenant) => [tenant.key, new Set(tenant.disabledModules)])),
  };
}

interface Context {
  targetingKey?: string;
  tenantKey?: string;
}

function variantValue(flag: SnapshotFlag, key: string): JsonValue {
  return flag.variants.find((variant) => variant.key === key)?.value ?? null;
}

function served(flag: SnapshotFlag, variant: string, reason: Reason, detail: string): EvaluationResult {
  return { key: flag.key, value: variantValue(flag, variant), variant, reason, detail };
}

const isLive = (expiresAt: string | null | undefined, now: number) => !expiresAt || Date.parse(expiresAt) > now;

export function evaluate(compiled: CompiledSnapshot, flagKey: string, context: Context, options: { now?: number } = {}, depth = 0): EvaluationResult {
  const now = options.now ?? Date.now();
  const flag = compiled.flags.get(flagKey);
  if (!flag || flag.archived) return { key: flagKey, value: null, reason: "ERROR", detail: "FLAG_NOT_FOUND", errorCode: "FLAG_NOT_FOUND" };
  const tenant = context.tenantKey;
  if (flag.module && tenant !== undefined && compiled.disabledModules.get(tenant)?.has(flag.module)) {
    return served(flag, flag.offVariant, "DISABLED", "MODULE_DISABLED");
  }
  const state = flag.state;
  if (!state.enabled) return served(flag, flag.offVariant, "DISABLED", "FLAG_DISABLED");
  for (const prerequisite of flag.dependsOn) {
    const outcome = depth > 64 ? undefined : evaluate(compiled, prerequisite, context, { now }, depth + 1);
    const isMet = outcome !== undefined && outcome.reason !== "ERROR" && Boolean(outcome.value);
    if (!isMet) return served(flag, flag.offVariant, "DISABLED", `PREREQUISITE_FAILED:${prerequisite}`);
  }
  const user = state.userOverrides.find((o) => o.userKey === context.targetingKey && isLive(o.expiresAt, now));
  if (user) return served(flag, user.variant, "TARGETING_MATCH", "USER_OVERRIDE");
  if (tenant !== undefined) {
    if (state.tenantDeny.includes(tenant)) return served(flag, flag.offVariant, "TARGETING_MATCH", "TENANT_DENY");
    const override = state.tenantOverrides.find((o) => o.tenantKey === tenant && isLive(o.expiresAt, now));
    if (override?.locked) return served(flag, override.variant, "TARGETING_MATCH", "TENANT_OVERRIDE_LOCKED");
    if (state.tenantAllow.includes(tenant)) return served(flag, flag.onVariant, "TARGETING_MATCH", "TENANT_ALLOW");
    if (override) return served(flag, override.variant, "TARGETING_MATCH", "TENANT_OVERRIDE");
  }
  const fallthrough = state.fallthrough;
  if ("variant" in fallthrough) return served(flag, fallthrough.variant, state.rules.length === 0 ? "STATIC" : "DEFAULT", "FALLTHROUGH");
  const largest = [...fallthrough.split.allocations].sort((a, b) => b.weight - a.weight)[0]!;
  return served(flag, largest.variant, "SPLIT", "FALLTHROUGH");
}
