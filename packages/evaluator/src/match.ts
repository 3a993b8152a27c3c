import type { PatternMatcher } from "@ensign/contracts/regex";
import { lookup } from "./attributes";
import { bucketOf, bucketValue } from "./bucket";
import { canonical, toNumber } from "./coerce";
import { OP } from "./compile-condition";
import { contextTime } from "./dates";
import { REGEX_INPUT_LIMIT } from "./regex";
import { isRoleAtLeast } from "./roles";
import { parseSemver } from "./semver";
import type { Session } from "./session";
import { nowOf } from "./session";
import type { CompiledCondition, CompiledSegment } from "./types";

/** The condition holds. */
export const HOLDS = 0;
/** The condition does not hold (after `negate`). */
export const FAILS = 1;
/** The attribute is absent, `null` or unusable for the operator: false whatever `negate` says. */
export const MISSING = 2;
/** The condition was refused at compile (see its `invalid`): it never matches. */
export const INVALID = 3;

/** The index of the first condition that does not hold, or -1 when all hold. */
export function firstFailing(session: Session, conditions: readonly CompiledCondition[]): number {
  for (let i = 0; i < conditions.length; i++) {
    if (check(session, conditions[i] as CompiledCondition) !== HOLDS) return i;
  }
  return -1;
}

/** Evaluates one condition: `HOLDS`, `FAILS`, `MISSING` or `INVALID`. */
export function check(session: Session, condition: CompiledCondition): number {
  if (condition.invalid !== null) return INVALID;
  const op = condition.op;
  if (op === OP.in_segment) return verdict(inAnySegment(session, condition.segments), condition.isNegated);
  const value = lookup(session, condition.attribute);
  if (op === OP.exists) return verdict(value !== undefined && value !== null, condition.isNegated);
  if (value === undefined || value === null) return MISSING;
  const result = test(session, condition, op, value);
  return result === undefined ? MISSING : verdict(result, condition.isNegated);
}

function verdict(result: boolean, isNegated: boolean): number {
  return result !== isNegated ? HOLDS : FAILS;
}

/** The operator's raw result, or `undefined` when the value is unusable for it. */
function test(session: Session, condition: CompiledCondition, op: number, value: unknown): boolean | undefined {
  switch (op) {
    case OP.in:
    case OP.equals: {
      const key = canonical(value);
      return key === undefined ? undefined : (condition.strings as ReadonlySet<string>).has(key);
    }
    case OP.not_in: {
      const key = canonical(value);
      return key === undefined ? undefined : !(condition.strings as ReadonlySet<string>).has(key);
    }
    case OP.contains:
    case OP.starts_with:
    case OP.ends_with:
      return textTest(op, canonical(value), condition.texts);
    case OP.matches: {
      const text = canonical(value);
      if (text === undefined || text.length > REGEX_INPUT_LIMIT) return undefined;
      return (condition.regex as PatternMatcher).test(text);
    }
    case OP.lt:
    case OP.lte:
    case OP.gt:
    case OP.gte:
      return numberTest(op, toNumber(value), condition.number);
    case OP.before:
    case OP.after: {
      const time = contextTime(value);
      if (Number.isNaN(time)) return undefined;
      const operand = condition.isRelative ? nowOf(session) + condition.number : condition.number;
      return op === OP.before ? time < operand : time > operand;
    }
    case OP.semver_eq:
    case OP.semver_lt:
    case OP.semver_gt:
      return semverTest(op, value, condition);
    case OP.role_at_least:
      return isRoleAtLeast(session, value, condition.texts);
    default: {
      // percentage: the same bucket a split of this flag would use for the value.
      const key = bucketValue(value);
      return key === undefined ? undefined : bucketOf(session.flag.bucketPrefix, key) < condition.number;
    }
  }
}

function textTest(op: number, text: string | undefined, operands: readonly string[]): boolean | undefined {
  if (text === undefined) return undefined;
  for (const operand of operands) {
    const hit = op === OP.contains ? text.includes(operand) : op === OP.starts_with ? text.startsWith(operand) : text.endsWith(operand);
    if (hit) return true;
  }
  return false;
}

function numberTest(op: number, value: number, operand: number): boolean | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (op === OP.lt) return value < operand;
  if (op === OP.lte) return value <= operand;
  if (op === OP.gt) return value > operand;
  return value >= operand;
}

function semverTest(op: number, value: unknown, condition: CompiledCondition): boolean | undefined {
  const version = parseSemver(value);
  if (version === undefined) return undefined;
  const wanted = op === OP.semver_eq ? 0 : op === OP.semver_lt ? -1 : 1;
  for (const operand of condition.semvers) {
    if (version.compare(operand) === wanted) return true;
  }
  return false;
}

function inAnySegment(session: Session, segments: readonly (CompiledSegment | string)[]): boolean {
  for (const segment of segments) {
    if (typeof segment !== "string" && isInSegment(session, segment)) return true;
  }
  return false;
}

/**
 * Exclusion lists beat everything; then inclusion lists; then the segment's rules. A segment
 * reached again through its own rules (directly or via others) counts as not matching there,
 * so a self-referencing segment ends instead of recursing forever.
 */
export function isInSegment(session: Session, segment: CompiledSegment): boolean {
  const user = session.targetingKey;
  const tenant = session.tenantKey;
  if (user !== undefined && segment.excludedUsers.has(user)) return false;
  if (tenant !== undefined && segment.excludedTenants.has(tenant)) return false;
  if (user !== undefined && segment.includedUsers.has(user)) return true;
  if (tenant !== undefined && segment.includedTenants.has(tenant)) return true;
  if (segment.rules.length === 0) return false;
  const chain = (session.segmentChain ??= []);
  if (chain.includes(segment)) return false;
  chain.push(segment);
  try {
    for (const rule of segment.rules) {
      if (rule.match(session) === -1) return true;
    }
    return false;
  } finally {
    chain.pop();
  }
}
