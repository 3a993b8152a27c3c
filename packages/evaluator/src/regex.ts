import { LIMITS } from "@ensign/contracts/targeting";
import safeRegex from "safe-regex2";

/** A regex ready to run, or why the stored pattern is refused. */
export type RegexResult = { readonly regex: RegExp; readonly refused: null } | { readonly regex: null; readonly refused: string };

/**
 * Compiles a `matches` pattern with the `u` flag, as the API validates it. Patterns over the
 * length bound, invalid ones, and ones safe-regex2 judges able to backtrack catastrophically
 * (nested quantifiers, too many repetitions, or syntax its parser cannot read) are refused,
 * because one hostile pattern would otherwise stall every evaluation of the process.
 */
export function compileRegex(pattern: unknown): RegexResult {
  if (typeof pattern !== "string") return { regex: null, refused: "the pattern is not a string" };
  if (pattern.length > LIMITS.regexLength) {
    return { regex: null, refused: `the pattern is longer than ${LIMITS.regexLength} characters` };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    return { regex: null, refused: "the pattern is not a valid regular expression" };
  }
  if (!safeRegex(pattern)) return { regex: null, refused: "the pattern could backtrack catastrophically" };
  return { regex, refused: null };
}

/** Inputs longer than this never match: truncating would silently change what `$` means. */
export const REGEX_INPUT_LIMIT = LIMITS.regexInputLength;
