import type { EvaluationContext, Reason } from "@ensign/contracts/evaluation";
import type { SnapshotFlag, SnapshotTenant } from "@ensign/contracts/snapshot";
import type { JsonValue } from "@ensign/contracts/targeting";
import { isRecord } from "./compile-condition";
import { activeFlags, compileTenant } from "./compile";
import { storedRoles } from "./roles";
import { compileFlag } from "./compile-flag";
import { evaluate } from "./evaluate";
import { isTruthy, jsonEqual } from "./json";
import type { CompileIssue, CompiledFlag, CompiledSnapshot, EvaluationResult } from "./types";

/** What one context got, before or after a proposed change. */
export interface ImpactOutcome {
  value: JsonValue;
  variant?: string;
  reason: Reason;
  detail: string;
}

/** A context whose value would change. */
export interface ImpactChange {
  context: unknown;
  before: ImpactOutcome;
  after: ImpactOutcome;
}

/** Which contexts a proposed flag would change: what the admin shows before saving. */
export interface ImpactReport {
  flagKey: string;
  changes: ImpactChange[];
  /** Contexts that were off (falsy value or error) and would be on (truthy value). */
  turnedOn: number;
  /** Contexts that were on and would be off. */
  turnedOff: number;
  /** Contexts whose value would differ (or that would start or stop answering `ERROR`). */
  changed: number;
  total: number;
}

/**
 * The compiled snapshot with one flag added or replaced by `flag`, compiled alone: the rest
 * (other flags, segments, tenants, identities) is shared with `compiled`. Flags that depend on
 * it see the new version. A flag without a usable key leaves the snapshot unchanged.
 */
export function withFlag(compiled: CompiledSnapshot, flag: SnapshotFlag): CompiledSnapshot {
  return withFlags(compiled, [flag]);
}

/**
 * `withFlag` for several flags at once (a later flag of the same key wins); flags without a
 * usable key are skipped. What it costs grows with the flags changed, not with the snapshot:
 * the flag index shares what did not change, and the list bulk evaluation walks is copied with
 * the changed flags put in their places (rebuilt only when a flag is added, or archived or
 * restored). Added flags go after the rest, unless `flagOrder` gives the new snapshot's order of
 * keys (every key, the added ones where the snapshot puts them).
 */
export function withFlags(compiled: CompiledSnapshot, changed: readonly SnapshotFlag[], options?: { flagOrder?: readonly string[] }): CompiledSnapshot {
  if (compiled.failure !== null) return compiled;
  const keyed = new Map<string, SnapshotFlag>();
  for (const flag of changed) {
    const key = isRecord(flag) ? flag.key : undefined;
    if (typeof key === "string" && key.length > 0) keyed.set(key, flag);
  }
  if (keyed.size === 0) return compiled;
  const issues: CompileIssue[] = compiled.issues.length === 0 ? [] : compiled.issues.filter((issue) => issue.flagKey === undefined || !keyed.has(issue.flagKey));
  const replacements = new Map<string, CompiledFlag>();
  const added: string[] = [];
  for (const [key, flag] of keyed) {
    replacements.set(key, compileFlag(flag, compiled.segments, { issues, flagKey: key, generateCode: compiled.generateCode }, `flags[${key}]`));
    if (!compiled.flags.has(key)) added.push(key);
  }
  const flags = compiled.flags.with(replacements);
  const flagOrder = added.length === 0 ? compiled.flagOrder : ordered(options?.flagOrder, flags) ?? [...compiled.flagOrder, ...added];
  return { ...compiled, issues, flags, flagOrder, activeFlags: added.length === 0 ? replacedActive(compiled, replacements) ?? activeFlags(flags, flagOrder) : activeFlags(flags, flagOrder) };
}

/**
 * The compiled snapshot with these tenants added or put in place of the same keys (a later one
 * of the same key wins), compiled alone; flags, segments and the other tenants are shared.
 * `workspaceRoles` are the snapshot's stored workspace roles, which a tenant's own roles extend.
 * A tenant the snapshot did not hold goes last, or where `tenantOrder` (every tenant key of the
 * new snapshot, in its order) puts it, as a full compile would. Tenants without a key are skipped.
 */
export function withTenants(
  compiled: CompiledSnapshot,
  changed: readonly SnapshotTenant[],
  workspaceRoles: unknown,
  options: { tenantOrder?: readonly string[] } = {},
): CompiledSnapshot {
  if (compiled.failure !== null) return compiled;
  let tenants = new Map(compiled.tenants);
  const issues: CompileIssue[] = [];
  const base = storedRoles(workspaceRoles, "roles", issues);
  let isAdded = false;
  for (const [i, tenant] of changed.entries()) {
    const key = isRecord(tenant) ? tenant.key : undefined;
    if (typeof key !== "string" || key.length === 0) continue;
    isAdded ||= !tenants.has(key);
    tenants.set(key, compileTenant(tenant as unknown as Record<string, unknown>, key, base, issues, `tenants[${i}]`));
  }
  const order = options.tenantOrder;
  if (isAdded && order && order.length === tenants.size && order.every((key) => tenants.has(key))) {
    const held = tenants;
    tenants = new Map(order.map((key) => [key, held.get(key)!]));
  }
  return { ...compiled, tenants, issues: issues.length === 0 ? compiled.issues : [...compiled.issues, ...issues] };
}

/** `flagOrder` when it lists exactly the index's keys, each once. */
function ordered(flagOrder: readonly string[] | undefined, flags: CompiledSnapshot["flags"]): readonly string[] | undefined {
  if (!flagOrder || flagOrder.length !== flags.size) return undefined;
  const seen = new Set<string>();
  for (const key of flagOrder) {
    if (!flags.has(key) || seen.has(key)) return undefined;
    seen.add(key);
  }
  return flagOrder;
}

/**
 * The active flags with the replacements in the places of the flags they replace, or undefined
 * when one of them is archived or restored by it (the list then changes shape and is rebuilt).
 */
function replacedActive(compiled: CompiledSnapshot, replacements: ReadonlyMap<string, CompiledFlag>): CompiledFlag[] | undefined {
  const active = compiled.activeFlags.slice();
  for (const [key, flag] of replacements) {
    const previous = compiled.flags.get(key);
    if (!previous || previous.isArchived !== flag.isArchived) return undefined;
    if (flag.isArchived) continue;
    const at = active.indexOf(previous);
    if (at < 0) return undefined;
    active[at] = flag;
  }
  return active;
}

/**
 * Evaluates the proposed version of a flag against the current one for each context (every
 * tenant, say, from `tenantContexts`) and reports the contexts whose value would change.
 * `now` is fixed once so both sides see the same moment. Both sides are measured as if the
 * environment's master switch were off. Never throws.
 */
export function impact(
  compiled: CompiledSnapshot,
  proposed: SnapshotFlag,
  contexts: readonly unknown[],
  options?: { now?: number },
): ImpactReport {
  const report: ImpactReport = { flagKey: "", changes: [], turnedOn: 0, turnedOff: 0, changed: 0, total: 0 };
  try {
    report.flagKey = isRecord(proposed) && typeof proposed.key === "string" ? proposed.key : "";
    // Measured as if the master switch were off: while it is on nothing changes, and what the
    // report is for is what the change does to the flag's audience once the switch is lifted.
    const before = compiled.isMasterSwitchOn ? { ...compiled, isMasterSwitchOn: false } : compiled;
    const after = withFlag(before, proposed);
    const now = typeof options?.now === "number" && Number.isFinite(options.now) ? options.now : Date.now();
    for (const context of Array.isArray(contexts) ? contexts : []) compare(report, before, after, context, now);
  } catch {
    // Only hostile input (a throwing getter on the proposed flag) gets here: report what was measured.
  }
  return report;
}

function compare(report: ImpactReport, before: CompiledSnapshot, after: CompiledSnapshot, context: unknown, now: number): void {
  report.total++;
  const was = evaluate(before, report.flagKey, context, { now });
  const will = evaluate(after, report.flagKey, context, { now });
  const hasChanged = !jsonEqual(was.value, will.value) || (was.reason === "ERROR") !== (will.reason === "ERROR");
  if (!hasChanged) return;
  report.changed++;
  if (!isOn(was) && isOn(will)) report.turnedOn++;
  if (isOn(was) && !isOn(will)) report.turnedOff++;
  report.changes.push({ context, before: outcome(was), after: outcome(will) });
}

/** One context per tenant, `{ targetingKey: tenantKey, tenantKey }`, in snapshot order. */
export function tenantContexts(compiled: CompiledSnapshot): EvaluationContext[] {
  return [...compiled.tenants.keys()].map((tenantKey) => ({ targetingKey: tenantKey, tenantKey }));
}

/**
 * For each tenant, one context per known value of each layer, `{ targetingKey: tenantKey,
 * tenantKey, <attribute>: value }`: with `tenantContexts`, the audience a blast radius measures
 * in a workspace with override dimensions. Nested attributes (`geo.region`) are written nested.
 */
export function layerContexts(compiled: CompiledSnapshot): EvaluationContext[] {
  const contexts: EvaluationContext[] = [];
  if (compiled.layers.length === 0) return contexts;
  for (const tenantKey of compiled.tenants.keys()) {
    for (const layer of compiled.layers) {
      for (const value of layer.values) contexts.push({ targetingKey: tenantKey, tenantKey, ...nested(layer.attribute.path ?? [layer.attribute.name], value) });
    }
  }
  return contexts;
}

function nested(path: readonly string[], value: string): Record<string, unknown> {
  let result: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) result = { [path[i] as string]: result };
  return result as Record<string, unknown>;
}

function isOn(result: EvaluationResult): boolean {
  return result.reason !== "ERROR" && isTruthy(result.value);
}

function outcome(result: EvaluationResult): ImpactOutcome {
  const { value, variant, reason, detail } = result;
  return variant === undefined ? { value, reason, detail } : { value, variant, reason, detail };
}
