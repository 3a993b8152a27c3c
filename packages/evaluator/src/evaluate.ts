import type { FlagType, JsonValue } from "@ensign/contracts/targeting";
import { resolveFlag } from "./decide";
import { errorText } from "./json";
import { failed, step } from "./results";
import { openSession, type Session } from "./session";
import type { CompiledFlag, CompiledSnapshot, EvaluateAllOptions, EvaluateOptions, EvaluationResult, TraceStep } from "./types";

const ZERO: Readonly<Record<FlagType, JsonValue>> = { boolean: false, string: "", number: 0, json: null };

/**
 * Evaluates one flag for a context, following SPEC §2: the first step that decides wins.
 * Never throws, whatever it is given: any failure returns the caller's default with reason
 * `ERROR`. Without `defaultValue`, the default is the zero value of `expectedType`
 * (`false`, `""`, `0`, `null`), or `null` when no type was asked for.
 */
export function evaluate(compiled: CompiledSnapshot, flagKey: string, context: unknown, options?: EvaluateOptions): EvaluationResult {
  try {
    return evaluateOne(compiled, flagKey, context, options);
  } catch (error) {
    return failed(typeof flagKey === "string" ? flagKey : "", safeDefault(options), "GENERAL", errorText(error), null);
  }
}

function evaluateOne(compiled: CompiledSnapshot, flagKey: string, context: unknown, options: EvaluateOptions | undefined): EvaluationResult {
  const expectedType = options?.expectedType;
  const defaultValue = defaultFor(options, expectedType);
  const trace: TraceStep[] | null = options?.trace === true ? [] : null;
  const key = typeof flagKey === "string" ? flagKey : "";
  if (compiled.failure !== null) return failed(key, defaultValue, "PARSE_ERROR", compiled.failure, traced(trace, "flag", compiled.failure));

  const flag = compiled.flags.get(key);
  if (flag === undefined || flag.isArchived) {
    // An archived flag answers exactly as an unknown one; only the (admin-only) trace says which.
    const message = `no flag '${key}' in this environment`;
    return failed(key, defaultValue, "FLAG_NOT_FOUND", message, traced(trace, "flag", flag === undefined ? message : `flag '${key}' is archived`));
  }
  if (expectedType !== undefined && flag.type !== expectedType) {
    const message = `flag '${key}' is a ${flag.type} flag, not a ${String(expectedType)} one`;
    return failed(key, defaultValue, "TYPE_MISMATCH", message, traced(trace, "flag", message));
  }
  const session = openSession(compiled, context, options?.now, trace !== null);
  if (typeof session === "string") return failed(key, defaultValue, "INVALID_CONTEXT", session, traced(trace, "context", session));
  if (trace === null && flag.constant !== null && !compiled.isMasterSwitchOn) return flag.constant;
  if (trace !== null) {
    session.trace = trace;
    const deprecated = flag.isDeprecated ? ", deprecated" : "";
    step(session, "flag", "passed", `${flag.type} flag, state version ${flag.stateVersion}${deprecated}`);
  }
  return resolveFlag(session, flag, defaultValue);
}

/**
 * Evaluates every flag that is not archived, in snapshot order, for one context: the bulk
 * form behind the portal's and OFREP's "all flags" endpoints. Never throws; a flag that
 * cannot be resolved appears with reason `ERROR` and value `null`.
 */
export function evaluateAll(compiled: CompiledSnapshot, context: unknown, options?: EvaluateAllOptions): EvaluationResult[] {
  const flags = activeFlagsOf(compiled);
  if (flags.length === 0) return [];
  let session: Session | string;
  let isTracing = false;
  try {
    isTracing = options?.trace === true;
    session = openSession(compiled, context, options?.now, isTracing);
  } catch (error) {
    // A context whose prototype cannot be read, or options whose getters throw.
    session = errorText(error);
  }
  if (typeof session === "string") {
    const reason = session;
    return flags.map((flag) => failed(flag.key, null, "INVALID_CONTEXT", reason, traced(isTracing ? [] : null, "context", reason)));
  }
  const results: EvaluationResult[] = [];
  // A flag no context can change answers what it answered at compile time (unless traced, or
  // while the master switch overrides every flag).
  const isConstantUsable = !isTracing && !session.compiled.isMasterSwitchOn;
  for (const flag of flags) results.push(resolveInBulk(session, flag, isConstantUsable));
  return results;
}

function resolveInBulk(session: Session, flag: CompiledFlag, isConstantUsable: boolean): EvaluationResult {
  try {
    if (isConstantUsable && flag.constant !== null) return flag.constant;
    session.fault = null;
    session.trace = session.isTracing ? [] : null;
    if (session.trace !== null) step(session, "flag", "passed", `${flag.type} flag, state version ${flag.stateVersion}`);
    return resolveFlag(session, flag, null);
  } catch (error) {
    return failed(flag.key, null, "GENERAL", errorText(error), null);
  }
}

/** Garbage in place of a compiled snapshot has no flags. */
function activeFlagsOf(compiled: CompiledSnapshot): readonly CompiledFlag[] {
  try {
    return Array.isArray(compiled.activeFlags) ? compiled.activeFlags : [];
  } catch {
    return [];
  }
}

/** The keys of every flag that is not archived, in snapshot order. */
export function flagKeys(compiled: CompiledSnapshot): string[] {
  return activeFlagsOf(compiled).map((flag) => flag.key);
}

function defaultFor(options: EvaluateOptions | undefined, expectedType: FlagType | undefined): JsonValue {
  const given = options?.defaultValue;
  if (given !== undefined) return given;
  return expectedType !== undefined && Object.hasOwn(ZERO, expectedType) ? ZERO[expectedType] : null;
}

/** The default for the crash path, which must not throw even if reading options does. */
function safeDefault(options: EvaluateOptions | undefined): JsonValue {
  try {
    return defaultFor(options, options?.expectedType);
  } catch {
    return null;
  }
}

function traced(trace: TraceStep[] | null, name: string, message: string): TraceStep[] | null {
  trace?.push({ step: name, outcome: "error", message });
  return trace;
}
