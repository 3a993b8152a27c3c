import type { EvaluationErrorCode, Reason } from "@ensign/contracts/evaluation";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { Session } from "./session";
import type { CompiledVariant, EvaluationResult, TraceStep } from "./types";

/** Records a trace step; callers check `session.trace` first so no message is built untraced. */
export function step(session: Session, name: string, outcome: TraceStep["outcome"], message: string): void {
  session.trace?.push({ step: name, outcome, message });
}

/** Results kept per variant for reuse: its reasons, details and rules (overrides, rules, fallthrough). */
const SERVED_PER_VARIANT = 32;

/**
 * A resolved value without a trace: the same answer (variant, reason, detail, rule) of a compiled
 * flag is one frozen object, handed out to every evaluation that gives it, so bulk evaluation
 * allocates nothing per flag in the steady state and consumers can recognise an answer by identity.
 */
export function answer(key: string, variant: CompiledVariant, reason: Reason, detail: string, ruleId: string | undefined): EvaluationResult {
  const served = variant.served;
  for (let i = 0; i < served.length; i++) {
    const result = served[i]!;
    if (result.detail === detail && result.reason === reason && result.ruleId === ruleId && result.key === key) return result;
  }
  const result: EvaluationResult = Object.freeze(
    ruleId === undefined
      ? { key, value: variant.value, variant: variant.key, reason, detail }
      : { key, value: variant.value, variant: variant.key, reason, detail, ruleId },
  );
  if (served.length < SERVED_PER_VARIANT) served.push(result);
  return result;
}

/** A resolved value. `ruleId` is only set (and only present) for rule decisions. */
export function resolved(
  session: Session,
  key: string,
  variant: CompiledVariant,
  reason: Reason,
  detail: string,
  ruleId: string | undefined,
): EvaluationResult {
  if (session.trace === null) return answer(key, variant, reason, detail, ruleId);
  const result: EvaluationResult =
    ruleId === undefined
      ? { key, value: variant.value, variant: variant.key, reason, detail }
      : { key, value: variant.value, variant: variant.key, reason, detail, ruleId };
  result.trace = session.trace;
  return result;
}

/** The caller's default with reason `ERROR`; the detail is the error code. */
export function failed(
  key: string,
  defaultValue: JsonValue,
  errorCode: EvaluationErrorCode,
  errorMessage: string,
  trace: TraceStep[] | null,
): EvaluationResult {
  const result: EvaluationResult = { key, value: defaultValue, reason: "ERROR", detail: errorCode, errorCode, errorMessage };
  if (trace !== null) result.trace = trace;
  return result;
}
