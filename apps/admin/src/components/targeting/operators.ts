import type { ConditionValue, Operator } from "@ensign/contracts/targeting";

/** How each operator reads in the rule builder, and what kind of values it takes. */
export const OPERATOR_INFO: Record<Operator, { label: string; input: "list" | "number" | "text" | "date" | "none" | "segments" | "roles" | "percentage" }> = {
  in: { label: "is one of", input: "list" },
  not_in: { label: "is not one of", input: "list" },
  equals: { label: "equals", input: "list" },
  contains: { label: "contains", input: "list" },
  starts_with: { label: "starts with", input: "list" },
  ends_with: { label: "ends with", input: "list" },
  matches: { label: "matches regex", input: "text" },
  lt: { label: "<", input: "number" },
  lte: { label: "≤", input: "number" },
  gt: { label: ">", input: "number" },
  gte: { label: "≥", input: "number" },
  before: { label: "is before", input: "date" },
  after: { label: "is after", input: "date" },
  semver_eq: { label: "version =", input: "list" },
  semver_lt: { label: "version <", input: "list" },
  semver_gt: { label: "version >", input: "list" },
  exists: { label: "is set", input: "none" },
  in_segment: { label: "is in segment", input: "segments" },
  percentage: { label: "in percentage bucket <", input: "percentage" },
  role_at_least: { label: "has role or above", input: "roles" },
};

/** Attributes worth suggesting; any attribute name may be typed. */
export const COMMON_ATTRIBUTES = ["targetingKey", "tenantKey", "role", "email", "country", "plan", "appVersion", "tenant.plan", "tenant.region", "signupAt"];

/** Values kept when the operator changes, if they still fit its kind of input. */
export function valuesForOperator(operator: Operator, previous: ConditionValue[]): ConditionValue[] {
  const input = OPERATOR_INFO[operator].input;
  if (input === "none") return [];
  if (input === "number" || input === "percentage") {
    const n = previous.find((v) => typeof v === "number");
    return n === undefined ? [] : [n];
  }
  if (input === "text" || input === "date") return previous.filter((v) => typeof v === "string").slice(0, 1);
  return previous.filter((v) => typeof v === "string");
}
