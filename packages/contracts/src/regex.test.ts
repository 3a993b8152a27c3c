import { describe, expect, it } from "vitest";
import { compilePattern, toRe2Syntax } from "./regex";
import { conditionValueIssue } from "./targeting";
import { growthRatio } from "../test/growth";

describe("matches patterns", () => {
  it.each([
    ["^[a-z]+@acme\\.io$", "ann@acme.io", true],
    ["^\\u{1F600}", "😀 hi", true],
    ["^\\uD83D\\uDE00$", "😀", true],
    ["^\\u0041$", "A", true],
    ["^.$", "😀", true],
    ["(a+)+$", "aaaa!", false],
  ])("runs %s on %j", (pattern, input, expected) => {
    expect(compilePattern(pattern).matcher?.test(input)).toBe(expected);
  });

  it("spells JavaScript's unicode escapes as RE2's", () => {
    expect(toRe2Syntax("\\u0041\\u{1F600}\\uD83D\\uDE00\\\\u0041\\d")).toBe("\\x{41}\\x{1f600}\\x{1f600}\\\\u0041\\d");
  });

  it.each([
    ["(?=a)b", "needs backtracking"],
    ["(?<!a)b", "needs backtracking"],
    ["(a)\\1", "needs backtracking"],
    ["(?:a?){200}a{200}", "too complex"],
    ["(a", "not a valid regular expression"],
    ["a{,3}", "not a valid regular expression"],
    ["x".repeat(257), "longer than 256"],
  ])("refuses %s", (pattern, reason) => {
    expect(compilePattern(pattern).refused).toContain(reason);
    expect(conditionValueIssue("matches", [pattern])).toContain(reason);
  });

  it("accepts patterns that backtracking engines could not run in time, since RE2 runs them in linear time", () => {
    for (const pattern of ["(a|a)*b", "(a|aa)+$", "(.*a){20}", "(a+)+$"]) {
      const { matcher } = compilePattern(pattern);
      expect(conditionValueIssue("matches", [pattern])).toBeUndefined();
      // Eight times the input takes about eight times as long (quadratic would be 64 times); the speed itself is not asserted.
      const ratio = growthRatio((n) => "a".repeat(n), (input) => matcher!.test(input), { size: 128, factor: 8 });
      expect({ pattern, growth: ratio < 32 ? "below quadratic" : ratio }).toEqual({ pattern, growth: "below quadratic" });
    }
  }, 60_000);
});
