import type { EvaluationResult } from "@ensign/contracts/evaluation";
import type { TenantFlagValue } from "@ensign/contracts/tenants";
import { compile, evaluate, evaluateAll, type CompiledSnapshot } from "@ensign/evaluator";
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
  /** Whether the flag is on for the tenant: `valueOf(...).isOn` without building the value. */
  isOnFor(tenantKey: string, flagKey: string): boolean;
  /**
   * Every flag's effective value for the tenant, by flag key in `flagKeys` order: one
   * evaluation session for the tenant's context instead of one per flag.
   */
  valuesOf(tenantKey: string): Record<string, TenantFlagValue>;
}

/** The in-memory compiled snapshots every replica keeps (the snapshot store). */
export interface CompiledSnapshots {
  /** The entry this replica holds in memory, without waiting; undefined when none is loaded. */
  peek(environmentId: string): { version: number; compiled: CompiledSnapshot; meta: { workspaceId: string; hasIdentities: boolean } } | undefined;
  /** Reloads until the entry is at least at `version`. */
  refresh(environmentId: string, version?: number): Promise<void>;
}

export interface LoadOptions {
  /** Evaluate over what this transaction sees, its own uncommitted writes included. */
  isInTransaction?: boolean;
}

/** What the views of one compiled snapshot share, worked out once per snapshot rather than per request. */
interface SnapshotFlags {
  shapes: ReadonlyMap<string, FlagShape>;
  /** The live flags' keys, sorted. */
  flagKeys: readonly string[];
  /**
   * The value of each answer the evaluator gave. Untraced answers are frozen objects the
   * evaluator hands out again for the same variant, reason and detail, so at 1,000 flags a page
   * of tenants shares a few thousand values instead of building one per tenant and flag.
   */
  values: WeakMap<EvaluationResult, TenantFlagValue>;
}

const flagsOfSnapshot = new WeakMap<CompiledSnapshot, SnapshotFlags>();

function snapshotFlags(compiled: CompiledSnapshot): SnapshotFlags {
  let flags = flagsOfSnapshot.get(compiled);
  if (flags === undefined) {
    const shapes = new Map<string, FlagShape>();
    for (const [key, flag] of compiled.flags) if (!flag.isArchived) shapes.set(key, { type: flag.type, offVariant: flag.off.key });
    flags = { shapes, flagKeys: [...shapes.keys()].sort(), values: new WeakMap() };
    flagsOfSnapshot.set(compiled, flags);
  }
  return flags;
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

  /**
   * The replica's snapshot when it is already in memory and at least as new as the caller's
   * transaction saw. Never waits for the store to load: the caller holds a pooled connection
   * in its transaction, and a load needs another one, so enough concurrent callers would take
   * every connection and wait on each other. A stale or missing entry is refreshed in the
   * background for the next caller; this one reads what it needs in its transaction.
   */
  function fromStore(workspaceId: string, environment: SnapshotEnvironment): CompiledSnapshot | undefined {
    if (!snapshots) return undefined;
    const entry = snapshots.peek(environment.id);
    // The replica's snapshot carries no identities' traits; a tenant's context may have some (an identity keyed by the tenant): read them here.
    if (entry?.meta.hasIdentities) return undefined;
    if (entry && entry.meta.workspaceId === workspaceId && entry.version >= environment.snapshotVersion) return entry.compiled;
    // Trouble loading (Redis and PostgreSQL) shows on the evaluation path; here the read in the transaction serves.
    void snapshots.refresh(environment.id, environment.snapshotVersion).catch(() => undefined);
    return undefined;
  }

  return {
    async load(tx: Tx, workspaceId: string, environment: SnapshotEnvironment, scope: SnapshotScope, load: LoadOptions = {}): Promise<TenantEvaluationView> {
      const compiled =
        (load.isInTransaction ? undefined : fromStore(workspaceId, environment)) ??
        compile(await readSnapshot(tx, workspaceId, environment, scope));
      const now = clock();
      const { shapes, flagKeys, values: valueOfResult } = snapshotFlags(compiled);
      const isOnIn = (flagKey: string, result: EvaluationResult) => {
        const shape = shapes.get(flagKey);
        return shape !== undefined && isOn(shape, result);
      };
      const toValue = (flagKey: string, result: EvaluationResult): TenantFlagValue => {
        const known = valueOfResult.get(result);
        if (known !== undefined) return known;
        const value: TenantFlagValue = Object.freeze({
          value: result.value,
          ...(result.variant === undefined ? {} : { variant: result.variant }),
          reason: result.reason,
          detail: result.detail,
          isOn: isOnIn(flagKey, result),
        });
        // Only the evaluator's shared answers come back; an error or a trace is made per call.
        if (Object.isFrozen(result)) valueOfResult.set(result, value);
        return value;
      };
      return {
        environment: { id: environment.id, key: environment.key },
        flagKeys,
        valueOf(tenantKey, flagKey) {
          return toValue(flagKey, evaluate(compiled, flagKey, { targetingKey: tenantKey, tenantKey }, { now }));
        },
        isOnFor(tenantKey, flagKey) {
          return isOnIn(flagKey, evaluate(compiled, flagKey, { targetingKey: tenantKey, tenantKey }, { now }));
        },
        valuesOf(tenantKey) {
          const byKey = new Map<string, TenantFlagValue>();
          for (const result of evaluateAll(compiled, { targetingKey: tenantKey, tenantKey }, { now })) byKey.set(result.key, toValue(result.key, result));
          const values: Record<string, TenantFlagValue> = {};
          for (const key of flagKeys) {
            const value = byKey.get(key);
            if (value !== undefined) values[key] = value;
          }
          return values;
        },
      };
    },
  };
}

export type TenantEvaluation = ReturnType<typeof createTenantEvaluation>;
