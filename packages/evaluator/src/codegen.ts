import { lookup } from "./attributes";
import { canonical, toNumber } from "./coerce";
import { OP } from "./compile-condition";
import { check, firstFailing } from "./match";
import { OBJECT_PROTOTYPE } from "./own";
import { REGEX_INPUT_LIMIT } from "./regex";
import type { CompiledCondition, CompiledRule, Matcher, RuleFinder } from "./types";

/** Sets this small are tested as a chain of `===`, which beats hashing. */
const INLINE_SET_LIMIT = 8;

/**
 * Whether this runtime lets us build functions from source: a page whose Content Security
 * Policy forbids `unsafe-eval`, or an edge runtime, does not. Asked once, on first compile.
 */
let isCodegenAvailable: boolean | undefined;
function canGenerate(): boolean {
  if (isCodegenAvailable === undefined) {
    try {
      isCodegenAvailable = new Function("return 1")() === 1;
    } catch {
      isCodegenAvailable = false;
    }
  }
  return isCodegenAvailable;
}

/** The interpreted matcher: correct everywhere, used for traces and where code cannot be generated. */
export function interpretedMatcher(conditions: readonly CompiledCondition[]): Matcher {
  return (session) => firstFailing(session, conditions);
}

/** The interpreted rule finder: the first usable rule from `from` on whose conditions all hold, or -1. */
export function interpretedRuleFinder(rules: readonly CompiledRule[]): RuleFinder {
  return (session, from) => {
    for (let i = from; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (rule.invalid === null && firstFailing(session, rule.conditions) === -1) return i;
    }
    return -1;
  };
}

/** Past this many conditions a flag's rules stay interpreted: a huge function would not be optimised. */
const GENERATED_CONDITION_LIMIT = 1000;

/**
 * Builds the function that finds a flag's first matching rule (from a given index, so that a
 * rule whose split has no bucket key can be passed over). Where allowed, all the rules become
 * one generated function in which each attribute is a property read with a constant name.
 * Those reads stay monomorphic in V8, where the interpreter's `context[name]` reads, one call
 * site for every attribute, go megamorphic; that, inlined operands and no call per rule are
 * most of the evaluator's speed. Only constants the compiler validated reach the source: names
 * and strings as JSON literals, finite numbers; everything else (regexes, sets, attribute
 * references) is passed in by reference. Operators outside the fast subset, and any unusual
 * read (a non-plain context, a name `Object.prototype` also carries, a trait, a nested path, a
 * tenant attribute), call the interpreter's own functions, so the semantics are the
 * interpreter's by construction; a property test checks that the two agree.
 */
export function generateRuleFinder(rules: readonly CompiledRule[], generate: boolean): RuleFinder {
  const usable = rules.filter((rule) => rule.invalid === null);
  const size = usable.reduce((sum, rule) => sum + rule.conditions.length, 0);
  if (!generate || usable.length === 0 || size > GENERATED_CONDITION_LIMIT || !canGenerate()) return interpretedRuleFinder(rules);
  const all = usable.flatMap((rule) => rule.conditions);
  let offset = 0;
  const blocks = rules.map((rule, index) => {
    if (rule.invalid !== null) return "";
    const label = `r${index}`;
    const body = rule.conditions.map((condition, i) => conditionSource(condition, offset + i, `break ${label};`)).join("\n");
    offset += rule.conditions.length;
    return `  ${label}: {\n  if (from > ${index}) break ${label};\n${body}\n  return ${index};\n  }`;
  });
  return build<RuleFinder>(`function rules(s, from) {\n  var c = s.context, v;\n${blocks.join("\n")}\n  return -1;\n}`, all) ?? interpretedRuleFinder(rules);
}

/** Like `generateRuleFinder`, for one list of conditions (a segment rule). */
export function generateMatcher(conditions: readonly CompiledCondition[], generate: boolean): Matcher {
  if (!generate || conditions.length > GENERATED_CONDITION_LIMIT || !canGenerate()) return interpretedMatcher(conditions);
  const body = conditions.map((condition, i) => conditionSource(condition, i, `return ${i};`)).join("\n");
  return build<Matcher>(`function match(s) {\n  var c = s.context, v;\n${body}\n  return -1;\n}`, conditions) ?? interpretedMatcher(conditions);
}

function build<T>(fn: string, conditions: readonly CompiledCondition[]): T | undefined {
  try {
    const factory = new Function("C", "A", "S", "R", "P", "L", "K", "N", "X", `"use strict";\nreturn ${fn};`) as (...deps: unknown[]) => T;
    return factory(
      conditions,
      conditions.map((c) => c.attribute),
      conditions.map((c) => c.strings),
      conditions.map((c) => c.regex),
      OBJECT_PROTOTYPE,
      lookup,
      canonical,
      toNumber,
      check,
    );
  } catch {
    return undefined;
  }
}

function conditionSource(condition: CompiledCondition, i: number, fail: string): string {
  const op = condition.op;
  if (condition.invalid !== null || !FAST_OPS.has(op)) return `  if (X(s, C[${i}]) !== 0) ${fail}`;
  const name = JSON.stringify(condition.attribute.name);
  const read = condition.attribute.isTenant
    ? `  v = L(s, A[${i}]);`
    : `  v = c[${name}];\n  if (v === undefined || !s.isPlain || P[${name}] !== undefined) v = L(s, A[${i}]);`;
  const present = "(v !== undefined && v !== null)";
  if (op === OP.exists) return `${read}\n  if (${present} === ${condition.isNegated}) ${fail}`;
  return `${read}\n  if (!${present}) ${fail}\n${operatorSource(condition, i, fail)}`;
}

const FAST_OPS = new Set<number>([OP.in, OP.not_in, OP.equals, OP.contains, OP.starts_with, OP.ends_with, OP.matches, OP.lt, OP.lte, OP.gt, OP.gte, OP.exists]);

/** Source that leaves `v` alone when it holds and returns the index when it does not. */
function operatorSource(condition: CompiledCondition, i: number, fail: string): string {
  const op = condition.op;
  const holds = (test: string) => (condition.isNegated ? `  if (${test}) ${fail}` : `  if (!(${test})) ${fail}`);
  if (op === OP.lt || op === OP.lte || op === OP.gt || op === OP.gte) {
    const symbol = op === OP.lt ? "<" : op === OP.lte ? "<=" : op === OP.gt ? ">" : ">=";
    const operand = JSON.stringify(condition.number);
    return `  if (typeof v !== "number") v = N(v);\n  if (!Number.isFinite(v)) ${fail}\n${holds(`v ${symbol} ${operand}`)}`;
  }
  const asText = `  if (typeof v !== "string") { v = K(v); if (v === undefined) ${fail} }`;
  if (op === OP.matches) return `${asText}\n  if (v.length > ${REGEX_INPUT_LIMIT}) ${fail}\n${holds(`R[${i}].test(v)`)}`;
  if (op === OP.contains || op === OP.starts_with || op === OP.ends_with) {
    const method = op === OP.contains ? "includes" : op === OP.starts_with ? "startsWith" : "endsWith";
    // Compile guarantees at least one operand for every fast operator.
    const test = condition.texts.map((text) => `v.${method}(${JSON.stringify(text)})`).join(" || ");
    return `${asText}\n${holds(test)}`;
  }
  const strings = condition.strings as ReadonlySet<string>;
  const member = strings.size <= INLINE_SET_LIMIT ? [...strings].map((s) => `v === ${JSON.stringify(s)}`).join(" || ") : `S[${i}].has(v)`;
  return `${asText}\n${holds(op === OP.not_in ? `!(${member})` : member)}`;
}

