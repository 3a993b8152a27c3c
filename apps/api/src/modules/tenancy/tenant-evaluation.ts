import type { EvaluationResult } from "@ensign/contracts/evaluation";
import type { SnapshotFlag } from "@ensign/contracts/snapshot";
import type { TenantFlagValue } from "@ensign/contracts/tenants";
import { compile, evaluate } from "@ensign/evaluator";
import type { Tx } from "../../infra/db/scoped";
import { readSnapshot, type SnapshotEnvironment, type SnapshotScope } from "./snapshot-source.repository";

/**
 * Whether a result counts as "on": a boolean flag serving `true`, any other flag serving a
 * variant other than its off variant. Errors are off. The tenants list's on/off filter, the
 * tenant admin's `enabled` and the dependency checks all use this one definition.
 */
export function isOn(flag: Pick<SnapshotFlag, "type" | "offVariant">, result: EvaluationResult): boolean {
  if (result.reason === "ERROR") return false;
  if (flag.type === "boolean") return result.value === true;
  return result.variant !== undefined && result.variant !== flag.offVariant;
}

/** The flags of one environment evaluated for tenants' contexts `{targetingKey: tenantKey, tenantKey}`. */
export interface TenantEvaluationView {
  readonly environment: { id: string; key: string };
  /** Keys of the flags in the view (requested ones and their prerequisites), sorted. */
  readonly flagKeys: readonly string[];
  flag(key: string): SnapshotFlag | undefined;
  /** The flag's effective value for the tenant, as the evaluator answers it. */
  valueOf(tenantKey: string, flagKey: string): TenantFlagValue;
}

/**
 * Effective flag values for tenants, computed by `@ensign/evaluator` over the environment's
 * snapshot, so that lists, tenant pages and the tenant admin's view never disagree with
 * evaluation. The snapshot is read in the caller's transaction, limited to the flags (with
 * their prerequisites) and tenants asked about: it sees the caller's own uncommitted writes,
 * which a cached snapshot could not.
 */
export function createTenantEvaluation(options: { now?: () => number } = {}) {
  const clock = options.now ?? Date.now;
  return {
    async load(tx: Tx, workspaceId: string, environment: SnapshotEnvironment, scope: SnapshotScope): Promise<TenantEvaluationView> {
      const snapshot = await readSnapshot(tx, workspaceId, environment, scope);
      const compiled = compile(snapshot);
      const flags = new Map(snapshot.flags.map((flag) => [flag.key, flag]));
      const now = clock();
      return {
        environment: { id: environment.id, key: environment.key },
        flagKeys: [...flags.keys()],
        flag: (key) => flags.get(key),
        valueOf(tenantKey, flagKey) {
          const result = evaluate(compiled, flagKey, { targetingKey: tenantKey, tenantKey }, { now });
          const flag = flags.get(flagKey);
          return {
            value: result.value,
            ...(result.variant === undefined ? {} : { variant: result.variant }),
            reason: result.reason,
            detail: result.detail,
            isOn: flag !== undefined && isOn(flag, result),
          };
        },
      };
    },
  };
}

export type TenantEvaluation = ReturnType<typeof createTenantEvaluation>;
