import type { FlagResponse, FlagStateResponse, FlagStateSummary } from "@ensign/contracts/flags";
import type { Variant } from "@ensign/contracts/targeting";
import type { FlagRow } from "./flags.repository";
import type { StoredState } from "./flag-states.repository";
import { rolloutOf, statusOf, type StateFacts } from "./state-summary";

export type FlagDefinition = Omit<FlagResponse, "environments" | "state">;

export function toFlagDefinition(row: FlagRow): FlagDefinition {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    module: row.module?.key ?? null,
    type: row.type,
    variants: row.variants as Variant[],
    offVariant: row.offVariant,
    onVariant: row.onVariant,
    tags: row.tags,
    isBeta: row.isBeta,
    tenantManageable: row.tenantManageable,
    feedbackUrl: row.feedbackUrl,
    dependsOn: row.dependsOn,
    lifecycle: row.lifecycle,
    owner: row.owner,
    trackAnalytics: row.trackAnalytics,
    deprecatedAt: row.deprecatedAt?.toISOString() ?? null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The fields of a definition an audit entry compares. */
export function auditedDefinition(flag: FlagDefinition) {
  const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...rest } = flag;
  return rest;
}

export function toSummary(
  environment: string,
  facts: StateFacts & { version: number; updatedAt: Date },
  flag: { offVariant: string; onVariant: string },
): FlagStateSummary {
  return {
    environment,
    enabled: facts.enabled,
    status: statusOf(facts, flag),
    rollout: rolloutOf(facts, flag),
    ruleCount: facts.ruleCount,
    overrideCount: facts.overrideCount,
    userOverrideCount: facts.userOverrideCount,
    version: facts.version,
    updatedAt: facts.updatedAt.toISOString(),
  };
}

export function toStateResponse(flagKey: string, environmentKey: string, state: StoredState): FlagStateResponse {
  return {
    flag: flagKey,
    environment: environmentKey,
    enabled: state.enabled,
    fallthrough: state.fallthrough,
    tenantAllow: state.tenantAllow,
    tenantDeny: state.tenantDeny,
    rules: state.rules.map((rule) => ({
      id: rule.id,
      ...(rule.name === null ? {} : { name: rule.name }),
      conditions: rule.conditions,
      serve: rule.serve,
    })),
    version: state.version,
    updatedAt: state.updatedAt.toISOString(),
  };
}

/** A state as its audit entries record it: everything that decides evaluation, rules included. */
export function auditedState(state: StoredState) {
  return {
    enabled: state.enabled,
    fallthrough: state.fallthrough,
    tenantAllow: state.tenantAllow,
    tenantDeny: state.tenantDeny,
    rules: state.rules.map((rule) => ({ id: rule.id, name: rule.name, conditions: rule.conditions, serve: rule.serve })),
  };
}
