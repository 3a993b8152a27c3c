import type { JsonValue } from "@ensign/contracts/targeting";
import { isTruthy, show } from "./json";
import { failed, step } from "./results";
import { tenantOf, type Session } from "./session";
import { decideByTargeting } from "./targeting";
import { serve } from "./serve";
import type { CompiledFlag, EvaluationResult, Prerequisite } from "./types";

/** Prerequisite chains deeper than this are refused rather than risking the stack. */
export const MAX_PREREQUISITE_DEPTH = 64;

/**
 * Resolves a flag that exists and is not archived: a malformed one answers `PARSE_ERROR`,
 * anything else goes through the decision order of SPEC §2 from the master switch on.
 */
export function resolveFlag(session: Session, flag: CompiledFlag, defaultValue: JsonValue): EvaluationResult {
  if (flag.malformed !== null) {
    if (session.trace !== null) step(session, "flag", "error", `the stored flag is malformed: ${flag.malformed}`);
    return failed(flag.key, defaultValue, "PARSE_ERROR", flag.malformed, session.trace);
  }
  session.flag = flag;
  // Traced only when on: it is the rare state, and an off switch decides nothing.
  if (session.compiled.isMasterSwitchOn) {
    if (session.trace !== null) step(session, "master_switch", "failed", "the environment master switch is on: every flag serves its off variant");
    return serve(session, flag, flag.off, "DISABLED", "MASTER_SWITCH", undefined, defaultValue);
  }
  const module = flag.module;
  if (module !== null) {
    const tenant = session.tenantKey === undefined ? undefined : tenantOf(session);
    if (tenant !== undefined && tenant.disabledModules.has(module)) {
      if (session.trace !== null) step(session, "module", "failed", `module '${module}' is switched off for tenant '${session.tenantKey}'`);
      return serve(session, flag, flag.off, "DISABLED", "MODULE_DISABLED", undefined, defaultValue);
    }
    if (session.trace !== null) {
      const scope = session.tenantKey === undefined ? "no tenant in the context" : `on for tenant '${session.tenantKey}'`;
      step(session, "module", "passed", `module '${module}': ${scope}`);
    }
  } else if (session.trace !== null) {
    step(session, "module", "skipped", "the flag belongs to no module");
  }

  if (!flag.isEnabled) {
    if (session.trace !== null) step(session, "enabled", "failed", "the flag is switched off in this environment");
    return serve(session, flag, flag.off, "DISABLED", "FLAG_DISABLED", undefined, defaultValue);
  }
  if (session.trace !== null) step(session, "enabled", "passed", "the flag is switched on in this environment");

  if (flag.prerequisites.length > 0) {
    const stopped = checkPrerequisites(session, flag, defaultValue);
    if (stopped !== null) return stopped;
  }
  return decideByTargeting(session, flag, defaultValue);
}

/** Every prerequisite must evaluate truthy for the same context; the first that does not decides. */
function checkPrerequisites(session: Session, flag: CompiledFlag, defaultValue: JsonValue): EvaluationResult | null {
  const chain = (session.chain ??= []);
  if (chain.length >= MAX_PREREQUISITE_DEPTH) session.fault = `prerequisites nest deeper than ${MAX_PREREQUISITE_DEPTH} flags`;
  chain.push(flag.key);
  try {
    for (const prerequisite of flag.prerequisites) {
      const stopped = checkPrerequisite(session, flag, prerequisite, chain, defaultValue);
      if (stopped !== null) return stopped;
    }
    return null;
  } finally {
    chain.pop();
  }
}

function checkPrerequisite(
  session: Session,
  flag: CompiledFlag,
  prerequisite: Prerequisite,
  chain: string[],
  defaultValue: JsonValue,
): EvaluationResult | null {
  const name = `prerequisite:${prerequisite.key}`;
  if (session.fault === null && chain.includes(prerequisite.key)) {
    session.fault = `prerequisite cycle: ${[...chain, prerequisite.key].join(" → ")}`;
  }
  if (session.fault === null) {
    const target = session.compiled.flags.get(prerequisite.key);
    if (target === undefined || target.isArchived) {
      if (session.trace !== null) step(session, name, "failed", "the flag does not exist or is archived");
      return serve(session, flag, flag.off, "DISABLED", prerequisite.detail, undefined, defaultValue);
    }
    const trace = session.trace;
    session.trace = null;
    let outcome: EvaluationResult;
    try {
      outcome = resolveFlag(session, target, null);
    } finally {
      session.trace = trace;
      session.flag = flag;
    }
    if (session.fault === null) {
      const isMet = outcome.reason !== "ERROR" && isTruthy(outcome.value);
      if (trace !== null) {
        step(session, name, isMet ? "passed" : "failed", `evaluated to ${show(outcome.value)} (${outcome.reason}, ${outcome.detail})`);
      }
      return isMet ? null : serve(session, flag, flag.off, "DISABLED", prerequisite.detail, undefined, defaultValue);
    }
  }
  // A cycle cannot be stored, but a snapshot could still hold one: answer ERROR at every level.
  if (session.trace !== null) step(session, name, "error", session.fault);
  return failed(flag.key, defaultValue, "GENERAL", session.fault, session.trace);
}
