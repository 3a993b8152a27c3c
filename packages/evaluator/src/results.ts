import type { EvaluationErrorCode, Reason } from "@ensign/contracts/evaluation";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { Session } from "./session";
import type { CompiledVariant, EvaluationResult, TraceStep } from "./types";

/** Records a trace step; callers check `session.trace` first so no message is built untraced. */
export function step(session: Session, name: string, outcome: TraceStep["outcome"], message: string): void {
  session.trace?.push({ step: name, outcome, message });
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
  const result: EvaluationResult =
    ruleId === undefined
      ? { key, value: variant.value, variant: variant.key, reason, detail }
      : { key, value: variant.value, variant: variant.key, reason, detail, ruleId };
  if (session.trace !== null) result.trace = session.trace;
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
