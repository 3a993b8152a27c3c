import { compilePattern, type PatternMatcher } from "@ensign/contracts/regex";
import { LIMITS } from "@ensign/contracts/targeting";

/** A pattern ready to run, or why the stored pattern is refused. */
export type RegexResult = { readonly regex: PatternMatcher; readonly refused: null } | { readonly regex: null; readonly refused: string };

/**
 * Compiles a `matches` pattern as the API validates it: JavaScript syntax with the `u` flag,
 * run on RE2's linear-time engine, so no pattern can stall an evaluation by backtracking.
 * Patterns over the length bound, invalid ones, ones that need backtracking (lookarounds,
 * backreferences) and ones too large to run cheaply are refused.
 */
export function compileRegex(pattern: unknown): RegexResult {
  const compiled = compilePattern(pattern);
  return compiled.matcher ? { regex: compiled.matcher, refused: null } : { regex: null, refused: compiled.refused };
}

/** Inputs longer than this never match: truncating would silently change what `$` means. */
export const REGEX_INPUT_LIMIT = LIMITS.regexInputLength;
