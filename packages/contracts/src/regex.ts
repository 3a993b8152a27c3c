import { RE2JS } from "re2js";

/** Bounds of a `matches` pattern: its length, and the size of the automaton it compiles to. */
export const REGEX_LIMITS = {
  patternLength: 256,
  /**
   * RE2 instructions. Matching costs at most (instructions x input length) steps; a 256-character
   * pattern without large counted repetitions stays well under this.
   */
  programSize: 512,
} as const;

/** A compiled `matches` pattern. Matching takes linear time whatever the pattern and the input. */
export interface PatternMatcher {
  test(input: string): boolean;
}

export type PatternResult = { readonly matcher: PatternMatcher; readonly refused: null } | { readonly matcher: null; readonly refused: string };

/**
 * Compiles a `matches` pattern. Patterns are written in JavaScript's syntax (with the `u` flag)
 * and run on RE2's linear-time engine, so a pattern must be valid in both: lookarounds and
 * backreferences, which need backtracking, are refused, as are patterns over the length bound
 * and ones whose automaton is too large to run cheaply.
 */
export function compilePattern(pattern: unknown): PatternResult {
  if (typeof pattern !== "string") return refuse("the pattern is not a string");
  if (pattern.length > REGEX_LIMITS.patternLength) return refuse(`the pattern is longer than ${REGEX_LIMITS.patternLength} characters`);
  try {
    new RegExp(pattern, "u");
  } catch {
    return refuse("the pattern is not a valid regular expression");
  }
  let matcher: RE2JS;
  try {
    matcher = RE2JS.compile(toRe2Syntax(pattern));
  } catch {
    return refuse("the pattern uses syntax that needs backtracking (lookarounds, backreferences) or that RE2 does not support");
  }
  if (matcher.programSize() > REGEX_LIMITS.programSize) {
    return refuse("the pattern is too complex (large counted repetitions); simplify it");
  }
  return { matcher, refused: null };
}

const refuse = (refused: string): PatternResult => ({ matcher: null, refused });

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/**
 * JavaScript's `\uXXXX` and `\u{X}` escapes in RE2's spelling, `\x{X}`; an escaped surrogate
 * pair becomes the one code point it stands for, as it does under the `u` flag.
 */
export function toRe2Syntax(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const unicode = /^u(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{4}))/.exec(pattern.slice(i + 1, i + 10));
    if (!unicode) {
      out += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    let code = parseInt(unicode[1] ?? (unicode[2] as string), 16);
    i += unicode[0].length;
    const low = /^\\u([0-9A-Fa-f]{4})/.exec(pattern.slice(i + 1, i + 7));
    if (unicode[2] && isHighSurrogate(code) && low && isLowSurrogate(parseInt(low[1] as string, 16))) {
      code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(low[1] as string, 16) - 0xdc00);
      i += 6;
    }
    out += `\\x{${code.toString(16)}}`;
  }
  return out;
}
