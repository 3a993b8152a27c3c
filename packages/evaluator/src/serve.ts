import type { Reason } from "@ensign/contracts/evaluation";
import type { JsonValue } from "@ensign/contracts/targeting";
import { show } from "./json";
import { failed, resolved, step } from "./results";
import { nowOf, type Session } from "./session";
import type { CompiledFlag, EvaluationResult, VariantRef } from "./types";

/**
 * Serves a variant, enforcing that it exists (`GENERAL` otherwise) and has the flag's type
 * (`TYPE_MISMATCH` otherwise); either failure returns the caller's default.
 */
export function serve(
  session: Session,
  flag: CompiledFlag,
  ref: VariantRef,
  reason: Reason,
  detail: string,
  ruleId: string | undefined,
  defaultValue: JsonValue,
): EvaluationResult {
  const variant = ref.variant;
  if (variant === undefined) {
    const message = `variant '${ref.key}' does not exist`;
    if (session.trace !== null) step(session, "variant", "error", message);
    return failed(flag.key, defaultValue, "GENERAL", message, session.trace);
  }
  if (!variant.isTypeValid) {
    const message = `variant '${ref.key}' holds ${show(variant.value)}, not a ${flag.type}`;
    if (session.trace !== null) step(session, "variant", "error", message);
    return failed(flag.key, defaultValue, "TYPE_MISMATCH", message, session.trace);
  }
  return resolved(session, flag.key, variant, reason, detail, ruleId);
}

/** Whether an override applies now: unexpired, and its expiry readable. */
export function isLive(session: Session, expiresAt: number): boolean {
  return expiresAt === Number.POSITIVE_INFINITY || nowOf(session) < expiresAt;
}

/** Why an override did not apply, for traces. */
export function expiryText(expiresAt: number): string {
  return Number.isNaN(expiresAt) ? "its expiry date is unreadable" : `it expired at ${new Date(expiresAt).toISOString()}`;
}
