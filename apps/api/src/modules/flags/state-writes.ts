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
 * Finds the flag's state in the environment. For writes the flag is share-locked, archived
 * flags are refused, and a missing state row is created first; reads see its default.
 */
export async function loadTarget(tx: Tx, workspaceId: string, flagKey: string, envKey: string, forWrite: boolean): Promise<StateTarget> {
  const flag = forWrite ? await repo.findShared(tx, workspaceId, flagKey) : await repo.find(tx, workspaceId, flagKey);
  if (!flag) throw notFound(`Flag '${flagKey}'`);
  const environment = await repo.environment(tx, workspaceId, envKey);
  if (!environment) throw notFound(`Environment '${envKey}'`);
  if (!forWrite) return { flag, environment, state: (await states.find(tx, workspaceId, flag.id, environment.id)) ?? defaultState(flag, environment.id) };
  if (flag.archivedAt) throw new AppError("CONFLICT", `Flag '${flagKey}' is archived; restore it before changing its state.`);
  await states.ensure(tx, workspaceId, flag.id, [environment.id], { enabled: false, variant: flag.offVariant });
  const state = (await states.find(tx, workspaceId, flag.id, environment.id))!;
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
export async function checkTargeting(tx: Tx, workspaceId: string, flag: FlagRow, input: TargetingInput, base = "body"): Promise<void> {
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
  const existingSegments = await repo.existingSegments(tx, workspaceId, [...segments.keys()]);
  for (const [key, path] of segments) {
    if (!existingSegments.has(key)) issues.push({ path, message: `segment '${key}' does not exist in this workspace` });
  }
  const lists = [
    ["tenantAllow", input.tenantAllow],
    ["tenantDeny", input.tenantDeny],
  ] as const;
  const tenants = await repo.existingTenants(tx, workspaceId, lists.flatMap(([, keys]) => keys ?? []));
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
  limits?: EnvironmentLimitsChecker,
): Promise<StoredState> {
  const { tx, workspaceId } = w;
  const { flag, environment, state: before } = target;
  if (!(await states.claimVersion(tx, workspaceId, before.id, expectedVersion))) {
    throw staleVersion(`The state of '${flag.key}' in ${environment.key}`, await states.currentVersion(tx, workspaceId, before.id));
  }
  await change.apply();
  const after = (await states.find(tx, workspaceId, flag.id, environment.id))!;
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
