import type { EvaluationResult } from "@ensign/contracts/evaluation";
import type { TenantFlagValue } from "@ensign/contracts/tenants";
import { compile, evaluate, type CompiledSnapshot } from "@ensign/evaluator";
import type { Tx } from "../../infra/db/scoped";
import { readSnapshot, type SnapshotEnvironment, type SnapshotScope } from "./snapshot-source.repository";

/** What deciding "on" needs to know of a flag. */
export interface FlagShape {
  type: string;
  offVariant: string;
}

/**
 * Whether a result counts as "on": a boolean flag serving `true`, any other flag serving a
 * variant other than its off variant. Errors are off. The tenants list's on/off filter, the
 * tenant admin's `enabled` and the dependency checks all use this one definition.
 */
export function isOn(flag: FlagShape, result: EvaluationResult): boolean {
  if (result.reason === "ERROR") return false;
  if (flag.type === "boolean") return result.value === true;
  return result.variant !== undefined && result.variant !== flag.offVariant;
}

/** The flags of one environment evaluated for tenants' contexts `{targetingKey: tenantKey, tenantKey}`. */
export interface TenantEvaluationView {
  readonly environment: { id: string; key: string };
  /** Keys of the live flags in the view (at least the requested ones and their prerequisites). */
  readonly flagKeys: readonly string[];
  /** The flag's effective value for the tenant, as the evaluator answers it. */
  valueOf(tenantKey: string, flagKey: string): TenantFlagValue;
}

/** The in-memory compiled snapshots every replica keeps (the snapshot store). */
export interface CompiledSnapshots {
  entry(workspaceId: string, environmentId: string): Promise<{ version: number; compiled: CompiledSnapshot }>;
  /** Reloads until the entry is at least at `version`. */
  refresh(environmentId: string, version?: number): Promise<void>;
}

export interface LoadOptions {
  /** Evaluate over what this transaction sees, its own uncommitted writes included. */
  isInTransaction?: boolean;
}

/**
 * Effective flag values for tenants, computed by `@ensign/evaluator`, so that lists, tenant
 * pages and the tenant admin's view never disagree with evaluation. Reads use the replica's
 * in-memory snapshot when it is at least as new as the environment version the caller's
 * transaction read; otherwise, and for answers that must include the caller's own uncommitted
 * write, the needed part of the snapshot is read in the transaction.
 */
export function createTenantEvaluation(options: { snapshots?: CompiledSnapshots; now?: () => number } = {}) {
  const { snapshots } = options;
  const clock = options.now ?? Date.now;

  async function fromStore(workspaceId: string, environment: SnapshotEnvironment): Promise<CompiledSnapshot | undefined> {
    if (!snapshots) return undefined;
    try {
      let entry = await snapshots.entry(workspaceId, environment.id);
      if (entry.version < environment.snapshotVersion) {
        await snapshots.refresh(environment.id, environment.snapshotVersion);
        entry = await snapshots.entry(workspaceId, environment.id);
      }
      return entry.version >= environment.snapshotVersion ? entry.compiled : undefined;
    } catch {
      // The store could not load (Redis and PostgreSQL trouble): read what is needed directly.
      return undefined;
    }
  }

  return {
    async load(tx: Tx, workspaceId: string, environment: SnapshotEnvironment, scope: SnapshotScope, load: LoadOptions = {}): Promise<TenantEvaluationView> {
      const compiled =
        (load.isInTransaction ? undefined : await fromStore(workspaceId, environment)) ??
        compile(await readSnapshot(tx, workspaceId, environment, scope));
      const now = clock();
      const shapes = new Map<string, FlagShape>();
      for (const [key, flag] of compiled.flags) if (!flag.isArchived) shapes.set(key, { type: flag.type, offVariant: flag.off.key });
      return {
        environment: { id: environment.id, key: environment.key },
        flagKeys: [...shapes.keys()].sort(),
        valueOf(tenantKey, flagKey) {
          const result = evaluate(compiled, flagKey, { targetingKey: tenantKey, tenantKey }, { now });
          const shape = shapes.get(flagKey);
          return {
            value: result.value,
            ...(result.variant === undefined ? {} : { variant: result.variant }),
            reason: result.reason,
            detail: result.detail,
            isOn: shape !== undefined && isOn(shape, result),
          };
        },
      };
    },
  };
}

export type TenantEvaluation = ReturnType<typeof createTenantEvaluation>;
