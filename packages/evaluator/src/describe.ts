import { lookup } from "./attributes";
import { OP } from "./compile-condition";
import { show } from "./json";
import { FAILS, INVALID, check } from "./match";
import { REGEX_INPUT_LIMIT } from "./regex";
import type { Session } from "./session";
import type { CompiledCondition } from "./types";

/** `plan in ["pro","team"]`, `not country equals ["NO"]`: a condition as a person reads it. */
export function conditionText(condition: CompiledCondition): string {
  const { attribute, operator, values } = condition.source;
  const negation = condition.isNegated ? "not " : "";
  return values.length === 0 ? `${negation}${attribute} ${operator}` : `${negation}${attribute} ${operator} ${show(values)}`;
}

/**
 * Why the condition at `index` stopped a rule, for traces only: it evaluates the condition
 * again, which is cheap and keeps the untraced path free of message building.
 */
export function whyNot(session: Session, conditions: readonly CompiledCondition[], index: number): string {
  const condition = conditions[index] as CompiledCondition;
  const head = `condition ${index + 1} of ${conditions.length} (${conditionText(condition)})`;
  const code = check(session, condition);
  if (code === INVALID) return `${head} never matches: ${condition.invalid}`;
  if (code === FAILS) return `${head} does not hold`;
  const value = lookup(session, condition.attribute);
  const where = condition.attribute.isTenant ? `tenant attribute '${condition.attribute.name}'` : `attribute '${condition.attribute.name}'`;
  if (value === undefined || value === null) return `${head} does not hold: ${where} is missing`;
  if (condition.op === OP.matches && typeof value === "string" && value.length > REGEX_INPUT_LIMIT) {
    return `${head} does not hold: ${where} is longer than ${REGEX_INPUT_LIMIT} characters`;
  }
  return `${head} does not hold: ${where} (${show(value)}) cannot be compared with '${condition.source.operator}'`;
}
