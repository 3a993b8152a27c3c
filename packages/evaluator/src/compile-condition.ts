import { LIMITS, OPERATORS, conditionValueIssue, type ConditionValue, type Operator } from "@ensign/contracts/targeting";
import { attributeRef } from "./attributes";
import { canonical } from "./coerce";
import { parseDateOperand } from "./dates";
import { compileRegex } from "./regex";
import { parseSemver } from "./semver";
import type { CompileIssue, CompiledCondition, CompiledSegment, SemverOperand } from "./types";

/** Operator codes: evaluation switches on small integers, not strings. */
export const OP = {
  in: 0,
  not_in: 1,
  equals: 2,
  contains: 3,
  starts_with: 4,
  ends_with: 5,
  matches: 6,
  lt: 7,
  lte: 8,
  gt: 9,
  gte: 10,
  before: 11,
  after: 12,
  semver_eq: 13,
  semver_lt: 14,
  semver_gt: 15,
  exists: 16,
  in_segment: 17,
  percentage: 18,
  role_at_least: 19,
} as const satisfies Record<Operator, number>;

/** Stands for an operator this evaluator does not know; such a condition never matches. */
const OP_UNKNOWN = -1;

/** Where compile reports what it could not use, and how it compiles. */
export interface IssueSink {
  readonly issues: CompileIssue[];
  readonly flagKey: string | undefined;
  /** Build rule matchers as generated functions (see `generateMatcher`). */
  readonly generateCode: boolean;
}

/**
 * Compiles one stored condition. Never throws: anything unusable yields a condition whose
 * `invalid` says why, which never matches (negated or not) and is reported as an issue.
 */
export function compileCondition(
  raw: unknown,
  segments: ReadonlyMap<string, CompiledSegment>,
  sink: IssueSink,
  path: string,
): CompiledCondition {
  const stored = isRecord(raw) ? raw : {};
  const attribute = typeof stored.attribute === "string" ? stored.attribute : "";
  const operator = typeof stored.operator === "string" ? stored.operator : "";
  const values: unknown[] = Array.isArray(stored.values) ? stored.values : [];
  const base = {
    op: isOperator(operator) ? OP[operator] : OP_UNKNOWN,
    attribute: attributeRef(attribute),
    isNegated: stored.negate === true,
    strings: null,
    texts: [] as string[],
    number: 0,
    isRelative: false,
    regex: null,
    semvers: [] as SemverOperand[],
    segments: [] as (CompiledSegment | string)[],
    invalid: null,
    source: { attribute, operator, values },
  } satisfies CompiledCondition;
  const invalid = validate(stored, attribute, operator, values);
  if (invalid !== undefined) {
    sink.issues.push({ ...issueFlag(sink), path, message: invalid });
    return { ...base, invalid };
  }
  const condition = specialise(base, operator as Operator, values as ConditionValue[], segments);
  if (condition.invalid !== null) sink.issues.push({ ...issueFlag(sink), path, message: condition.invalid });
  return condition;
}

function validate(stored: Record<string, unknown>, attribute: string, operator: string, values: unknown[]): string | undefined {
  if (attribute.length === 0) return "the condition has no attribute";
  if (!isOperator(operator)) return `unknown operator '${operator}'`;
  if (!Array.isArray(stored.values)) return "the condition's values are not a list";
  if (values.length > LIMITS.conditionValues) return `more than ${LIMITS.conditionValues} values`;
  for (const value of values) {
    const isValue =
      (typeof value === "string" && value.length <= LIMITS.conditionValueLength) ||
      (typeof value === "number" && Number.isFinite(value)) ||
      typeof value === "boolean";
    if (!isValue) return "a value is not a string, finite number or boolean within the length limit";
  }
  if (operator === "matches") return undefined; // compileRegex gives the precise reason
  return conditionValueIssue(operator, values as ConditionValue[]);
}

function specialise(
  base: CompiledCondition,
  operator: Operator,
  values: ConditionValue[],
  segments: ReadonlyMap<string, CompiledSegment>,
): CompiledCondition {
  switch (operator) {
    case "in":
    case "not_in":
    case "equals":
      return { ...base, strings: new Set(values.map((v) => canonical(v) as string)) };
    case "contains":
    case "starts_with":
    case "ends_with":
      return { ...base, texts: values.map((v) => canonical(v) as string) };
    case "matches": {
      const compiled = compileRegex(values.length === 1 ? values[0] : undefined);
      return compiled.regex ? { ...base, regex: compiled.regex } : { ...base, invalid: `regex refused: ${compiled.refused}` };
    }
    case "lt":
    case "lte":
    case "gt":
    case "gte":
      return { ...base, number: values[0] as number };
    case "percentage":
      // Thousandths of a percent, the unit of buckets: 12.345 % is bucket < 12345.
      return { ...base, number: Math.round((values[0] as number) * 1000) };
    case "before":
    case "after": {
      const operand = parseDateOperand(values[0] as string) as { ms: number; isRelative: boolean };
      return { ...base, number: operand.ms, isRelative: operand.isRelative };
    }
    case "semver_eq":
    case "semver_lt":
    case "semver_gt": {
      // conditionValueIssue admitted only versions `semver` reads, so every value parses.
      return { ...base, semvers: values.map((v) => parseSemver(v)!) };
    }
    case "role_at_least":
      return { ...base, texts: values as string[] };
    case "in_segment":
      // An unknown key stays a string: nobody is in a segment that does not exist.
      return { ...base, segments: values.map((v) => segments.get(v as string) ?? (v as string)) };
    default:
      return base;
  }
}

function isOperator(value: string): value is Operator {
  return (OPERATORS as readonly string[]).includes(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function issueFlag(sink: IssueSink): { flagKey?: string } {
  return sink.flagKey === undefined ? {} : { flagKey: sink.flagKey };
}
