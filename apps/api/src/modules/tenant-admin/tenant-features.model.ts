import type { TenantFeature, ToggleBlock } from "@ensign/contracts/tenant-admin";
import type { TenantEvaluationView } from "../snapshots/tenant-evaluation";
import type { FeatureRow, TenantOverrideRow } from "./tenant-admin.repository";

/** Why a toggle is refused, with the error it answers. */
export interface Refusal {
  code: ToggleBlock | "HAS_DEPENDANTS";
  message: string;
  details?: Record<string, unknown>;
}

export interface FeatureInputs {
  tenantKey: string;
  rows: readonly FeatureRow[];
  /** The tenant's overrides in the environment, by flag id. */
  overrides: ReadonlyMap<string, TenantOverrideRow>;
  disabledModules: ReadonlySet<string>;
  view: TenantEvaluationView;
  now: number;
}

const isLive = (override: TenantOverrideRow | undefined, now: number): override is TenantOverrideRow =>
  override !== undefined && (override.expiresAt === null || override.expiresAt.getTime() > now);

/**
 * The tenant admin's view of every live flag: its effective value (from the evaluator), what
 * the workspace's admins decided about it, and whether the tenant admin may flip it now.
 */
export function buildFeatures({ tenantKey, rows, overrides, disabledModules, view, now }: FeatureInputs): TenantFeature[] {
  const names = new Map(rows.map((row) => [row.key, row.name]));
  const values = new Map(rows.map((row) => [row.key, view.valueOf(tenantKey, row.key)]));
  const features = rows.map((row): TenantFeature => {
    const value = values.get(row.key)!;
    const state = row.states[0];
    const stored = overrides.get(row.id);
    const live = isLive(stored, now) ? stored : undefined;
    const lockedBy = state?.tenantDeny.includes(tenantKey) ? "deny_list" : live?.locked ? "override" : state?.tenantAllow.includes(tenantKey) ? "allow_list" : null;
    return {
      key: row.key,
      name: row.name,
      description: row.description,
      module: row.module?.key ?? null,
      enabled: value.isOn,
      value: value.value,
      reason: value.reason,
      detail: value.detail,
      locked: lockedBy !== null,
      lockedBy,
      isBeta: row.isBeta,
      feedbackUrl: row.feedbackUrl,
      tenantManageable: row.tenantManageable,
      deprecated: row.deprecatedAt !== null,
      globallyDisabled: !(state?.enabled ?? false),
      moduleEnabled: row.module === null || !disabledModules.has(row.module.key),
      dependencies: row.dependsOn.map((key) => ({ key, name: names.get(key) ?? key, isMet: values.get(key)?.isOn ?? false })),
      dependants: [],
      canToggle: true,
      blockedBy: null,
      blockedReason: null,
      override: live ? { variant: live.variant, source: live.source, locked: live.locked, expiresAt: live.expiresAt?.toISOString() ?? null } : null,
      version: stored?.version ?? 0,
    };
  });
  const byKey = new Map(features.map((feature) => [feature.key, feature]));
  for (const feature of features) {
    if (!feature.enabled) continue;
    for (const dependency of feature.dependencies) byKey.get(dependency.key)?.dependants.push(feature.key);
  }
  for (const feature of features) {
    // Dependants only ask for a confirmation (force), so they never block the toggle.
    const blocked = refusal(feature, !feature.enabled, { isForced: true });
    if (blocked && blocked.code !== "HAS_DEPENDANTS") {
      feature.canToggle = false;
      feature.blockedBy = blocked.code;
      feature.blockedReason = blocked.message;
    }
  }
  return features;
}

/**
 * Whether a tenant admin may switch the feature on (`isEnabling`) or off, checked in this
 * order: whether the flag is tenant-manageable at all, the workspace admins' pins (lock, deny or
 * allow list), the module, the kill switch,
 * deprecation, prerequisites; and, when switching off without `force`, enabled dependants.
 */
export function refusal(feature: TenantFeature, isEnabling: boolean, options: { isForced: boolean }): Refusal | null {
  const name = `'${feature.name}' (${feature.key})`;
  if (!feature.tenantManageable) {
    return { code: "FEATURE_NOT_MANAGEABLE", message: `${name} is managed by the workspace admins; tenant admins cannot switch it.` };
  }
  if (feature.lockedBy !== null) {
    const by = { override: "locked it", deny_list: "put your tenant on its deny list", allow_list: "put your tenant on its allow list" }[feature.lockedBy];
    return { code: "FEATURE_LOCKED", message: `${name} cannot be changed: the workspace admins ${by}.`, details: { lockedBy: feature.lockedBy } };
  }
  if (!feature.moduleEnabled) {
    return { code: "MODULE_DISABLED", message: `${name} belongs to module '${feature.module}', which is switched off for your tenant.`, details: { module: feature.module } };
  }
  if (!isEnabling) {
    if (feature.dependants.length > 0 && !options.isForced) {
      return {
        code: "HAS_DEPENDANTS",
        message: `Switching off ${name} also switches off what depends on it: ${feature.dependants.join(", ")}. Send force: true to go ahead.`,
        details: { dependants: feature.dependants },
      };
    }
    return null;
  }
  if (feature.globallyDisabled) {
    return { code: "FEATURE_DISABLED", message: `${name} is switched off for every tenant by the workspace admins; it cannot be enabled now.` };
  }
  if (feature.deprecated) return { code: "FLAG_DEPRECATED", message: `${name} is deprecated and cannot be enabled.` };
  const unmet = feature.dependencies.filter((d) => !d.isMet).map((d) => d.key);
  if (unmet.length > 0) {
    return { code: "DEPENDENCY_NOT_MET", message: `${name} needs ${unmet.join(", ")} to be enabled first.`, details: { unmet } };
  }
  return null;
}
