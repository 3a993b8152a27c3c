import type { FieldIssue } from "@ensign/contracts/common";
import type { Serve, Variant } from "@ensign/contracts/targeting";
import { changes, type Actor } from "../../infra/audit";
import type { Tx } from "../../infra/db/scoped";
import type { Write } from "../../infra/writer";
import { AppError, invalid, notFound } from "../../infra/errors";
import { staleVersion } from "../../infra/versioning";
import { auditedState } from "./flag-responses";
import { defaultState, flagStatesRepository as states, type RuleData, type StoredState } from "./flag-states.repository";
import { flagsRepository as repo, type EnvironmentRef, type FlagRow } from "./flags.repository";
import { segmentReferences, serveIssues } from "./targeting-validation";
import type { EnvironmentLimitsChecker } from "../../infra/environment-limits";

/** A flag, one of its environments, and its state there. */
export interface StateTarget {
  flag: FlagRow;
  environment: EnvironmentRef;
  state: StoredState;
}

/**
 * Where a state write reads and writes: the flag, the environment, the state and its version,
 * and the segments and tenants targeting may name. Every method keeps to the workspace.
 */
export interface StateStore {
  /** For writes the flag is share-locked until the transaction ends (its variants cannot change meanwhile). */
  findFlag(tx: Tx, workspaceId: string, key: string, options: { isWrite: boolean }): Promise<FlagRow | null>;
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentRef | null>;
  findState(tx: Tx, workspaceId: string, flagId: string, environmentId: string): Promise<StoredState | null>;
  /** Creates the state (disabled, serving `variant`) unless the flag has one in the environment. */
  ensureState(tx: Tx, workspaceId: string, flagId: string, environmentId: string, initial: { enabled: boolean; variant: string }): Promise<void>;
  /**
   * Moves the state to its next version if it is still at `expectedVersion` (whatever it is when
   * null), holding it until the transaction ends; answers whether it moved.
   */
  claimVersion(tx: Tx, workspaceId: string, stateId: string, expectedVersion: number | null): Promise<boolean>;
  /** The committed version now: what a refused writer should reload. */
  currentVersion(tx: Tx, workspaceId: string, stateId: string): Promise<number>;
  /** Which of `keys` are segments of the workspace. */
  existingSegments(tx: Tx, workspaceId: string, keys: string[]): Promise<Set<string>>;
  /** Which of `keys` are tenants of the workspace. */
  existingTenants(tx: Tx, workspaceId: string, keys: string[]): Promise<Set<string>>;
}

/** The state store in PostgreSQL. */
export const stateStore: StateStore = {
  findFlag: (tx, workspaceId, key, { isWrite }) => (isWrite ? repo.findShared(tx, workspaceId, key) : repo.find(tx, workspaceId, key)),
  findEnvironment: (tx, workspaceId, key) => repo.environment(tx, workspaceId, key),
  findState: (tx, workspaceId, flagId, environmentId) => states.find(tx, workspaceId, flagId, environmentId),
  ensureState: (tx, workspaceId, flagId, environmentId, initial) => states.ensure(tx, workspaceId, flagId, [environmentId], initial),
  claimVersion: (tx, workspaceId, stateId, expectedVersion) => states.claimVersion(tx, workspaceId, stateId, expectedVersion),
  currentVersion: (tx, workspaceId, stateId) => states.currentVersion(tx, workspaceId, stateId),
  existingSegments: (tx, workspaceId, keys) => repo.existingSegments(tx, workspaceId, keys),
  existingTenants: (tx, workspaceId, keys) => repo.existingTenants(tx, workspaceId, keys),
};

/**
 * Finds the flag's state in the environment. For writes the flag is share-locked, archived
 * flags are refused, and a missing state row is created first; reads see its default.
 */
export async function loadTarget(
  tx: Tx,
  workspaceId: string,
  flagKey: string,
  envKey: string,
  forWrite: boolean,
  store: StateStore = stateStore,
): Promise<StateTarget> {
  const flag = await store.findFlag(tx, workspaceId, flagKey, { isWrite: forWrite });
  if (!flag) throw notFound(`Flag '${flagKey}'`);
  const environment = await store.findEnvironment(tx, workspaceId, envKey);
  if (!environment) throw notFound(`Environment '${envKey}'`);
  if (!forWrite) return { flag, environment, state: (await store.findState(tx, workspaceId, flag.id, environment.id)) ?? defaultState(flag, environment.id) };
  if (flag.archivedAt) throw new AppError("CONFLICT", `Flag '${flagKey}' is archived; restore it before changing its state.`);
  await store.ensureState(tx, workspaceId, flag.id, environment.id, { enabled: false, variant: flag.offVariant });
  const state = (await store.findState(tx, workspaceId, flag.id, environment.id))!;
  return { flag, environment, state };
}

export interface TargetingInput {
  fallthrough?: Serve | undefined;
  tenantAllow?: string[] | undefined;
  tenantDeny?: string[] | undefined;
  /** Rules with the path of each in the request. */
  rules?: { rule: Partial<RuleData>; path: string }[];
}

/**
 * Refuses targeting that names what does not exist: variants of the flag, segments and tenants
 * of the workspace. One 400 naming every bad field.
 */
export async function checkTargeting(
  tx: Tx,
  workspaceId: string,
  flag: FlagRow,
  input: TargetingInput,
  base = "body",
  store: Pick<StateStore, "existingSegments" | "existingTenants"> = stateStore,
): Promise<void> {
  const variants = new Set((flag.variants as Variant[]).map((v) => v.key));
  const issues: FieldIssue[] = [];
  if (input.fallthrough) issues.push(...serveIssues(input.fallthrough, variants, `${base}.fallthrough`));
  const segments = new Map<string, string>();
  for (const { rule, path } of input.rules ?? []) {
    if (rule.serve) issues.push(...serveIssues(rule.serve, variants, `${path}.serve`));
    if (rule.conditions) {
      for (const [key, at] of segmentReferences(rule.conditions, `${path}.conditions`)) if (!segments.has(key)) segments.set(key, at);
    }
  }
  const existingSegments = await store.existingSegments(tx, workspaceId, [...segments.keys()]);
  for (const [key, path] of segments) {
    if (!existingSegments.has(key)) issues.push({ path, message: `segment '${key}' does not exist in this workspace` });
  }
  const lists = [
    ["tenantAllow", input.tenantAllow],
    ["tenantDeny", input.tenantDeny],
  ] as const;
  const tenants = await store.existingTenants(tx, workspaceId, lists.flatMap(([, keys]) => keys ?? []));
  for (const [field, keys] of lists) {
    keys?.forEach((key, i) => {
      if (!tenants.has(key)) issues.push({ path: `${base}.${field}.${i}`, message: `tenant '${key}' does not exist in this workspace` });
    });
  }
  const denied = new Set(input.tenantDeny ?? []);
  const both = (input.tenantAllow ?? []).filter((key) => denied.has(key));
  if (both.length > 0) issues.push({ path: `${base}.tenantAllow`, message: `tenants cannot be on both lists: ${both.join(", ")}` });
  if (issues.length > 0) throw invalid(`The request is not valid: ${issues.map((i) => i.path).join(", ")}.`, issues);
}

export interface StateChange {
  /** `flag_state.updated`, `flag_rule.created`, ... */
  action: string;
  /** Writes the change; the version has already moved. */
  apply(): Promise<void>;
  /** What the audit entry records; the changed fields of the whole state when absent. */
  describe?(before: StoredState, after: StoredState): { before?: unknown; after?: unknown };
}

/**
 * The one way a flag state changes, by hand or by schedule: claims the next version (refusing a
 * stale `expectedVersion`; `null` applies to whatever is current), writes the change, records
 * the audit entry, checks the environment's size limits (when given), and bumps the
 * environment's snapshot, all in the caller's write (which announces the bump after commit).
 */
export async function changeState(
  w: Write,
  target: StateTarget,
  expectedVersion: number | null,
  actor: Actor,
  change: StateChange,
  limits?: Pick<EnvironmentLimitsChecker, "assertEnvironments">,
  store: Pick<StateStore, "claimVersion" | "currentVersion" | "findState"> = stateStore,
): Promise<StoredState> {
  const { tx, workspaceId } = w;
  const { flag, environment, state: before } = target;
  if (!(await store.claimVersion(tx, workspaceId, before.id, expectedVersion))) {
    throw staleVersion(`The state of '${flag.key}' in ${environment.key}`, await store.currentVersion(tx, workspaceId, before.id));
  }
  await change.apply();
  const after = (await store.findState(tx, workspaceId, flag.id, environment.id))!;
  const described = change.describe ? change.describe(before, after) : changes(auditedState(before), auditedState(after));
  await w.audit(actor, {
    workspaceId,
    environment,
    action: change.action,
    targetType: "flag",
    targetId: flag.id,
    targetKey: flag.key,
    ...described,
  });
  // Writes that can grow the environment pass its limits; removals and toggles do not need them.
  if (limits) await limits.assertEnvironments(tx, [environment.id]);
  await w.bump([environment.id], { flags: [flag.id] });
  return after;
}
