import type { Condition } from "@ensign/contracts/targeting";
import { describe, expect, it } from "vitest";
import { growthRatio } from "../../contracts/test/growth";
import { DAY, NOW, flag, rule, segment, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate } from "./index";

type Case = [name: string, condition: Condition, context: Record<string, unknown>, matches: boolean];

/**
 * Whether a rule with only these conditions matches the context, asked three ways that must
 * agree: generated matchers, the interpreter, and the traced evaluation.
 */
function matches(conditions: Condition[], context: Record<string, unknown>, parts: Parameters<typeof snapshot>[0] = {}): boolean {
  const stored = snapshot({ flags: [flag({ key: "f", state: { rules: [rule("r", conditions)] } })], ...parts });
  const generated = evaluate(compile(stored), "f", context, { now: NOW });
  const interpreted = evaluate(compile(stored, { generateCode: false }), "f", context, { now: NOW });
  const traced = evaluate(compile(stored), "f", context, { now: NOW, trace: true });
  expect(generated.reason).not.toBe("ERROR");
  expect(interpreted).toEqual(generated);
  expect({ ...traced, trace: undefined }).toEqual({ ...generated, trace: undefined });
  return generated.detail === "RULE:r";
}

const cases: Case[] = [
  // in, not_in, equals
  ["in: a listed string", when("plan", "in", ["free", "pro"]), { plan: "pro" }, true],
  ["in: an unlisted string", when("plan", "in", ["free", "pro"]), { plan: "team" }, false],
  ["in: numbers meet numeric strings", when("seats", "in", ["5"]), { seats: 5 }, true],
  ["in: booleans meet their names", when("beta", "in", [true]), { beta: "true" }, true],
  ["in: objects are unusable", when("plan", "in", ["pro"]), { plan: { name: "pro" } }, false],
  ["in: NaN is unusable, even negated", when("seats", "in", ["NaN"], true), { seats: Number.NaN }, false],
  ["in: a long list", when("plan", "in", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "pro"]), { plan: "pro" }, true],
  ["in: a long list, unlisted", when("plan", "in", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "pro"]), { plan: "x" }, false],
  ["in negated: an unlisted string", when("plan", "in", ["pro"], true), { plan: "team" }, true],
  ["not_in: an unlisted string", when("plan", "not_in", ["free"]), { plan: "pro" }, true],
  ["not_in: a listed string", when("plan", "not_in", ["free"]), { plan: "free" }, false],
  ["not_in: a missing attribute", when("plan", "not_in", ["free"]), {}, false],
  ["not_in: an object", when("plan", "not_in", ["free"]), { plan: [] }, false],
  ["not_in negated: a listed string", when("plan", "not_in", ["free"], true), { plan: "free" }, true],
  ["equals: same string", when("role", "equals", ["admin"]), { role: "admin" }, true],
  ["equals: case matters", when("role", "equals", ["admin"]), { role: "Admin" }, false],
  ["equals: same number", when("level", "equals", [3]), { level: 3 }, true],
  ["equals: same boolean", when("emailVerified", "equals", [true]), { emailVerified: true }, true],
  ["equals: different boolean", when("emailVerified", "equals", [true]), { emailVerified: false }, false],
  // string operators
  ["contains", when("email", "contains", ["@acme."]), { email: "a@acme.io" }, true],
  ["contains: none of the values", when("email", "contains", ["@corp.", "@inc."]), { email: "a@acme.io" }, false],
  ["contains: numbers as text", when("phone", "contains", ["47"]), { phone: 4712345 }, true],
  ["contains: objects are unusable, even negated", when("email", "contains", ["x"], true), { email: {} }, false],
  ["starts_with: any value", when("email", "starts_with", ["x", "a@"]), { email: "a@acme.io" }, true],
  ["starts_with: no", when("email", "starts_with", ["b"]), { email: "a@acme.io" }, false],
  ["ends_with", when("email", "ends_with", [".io"]), { email: "a@acme.io" }, true],
  ["ends_with negated", when("email", "ends_with", [".io"], true), { email: "a@acme.com" }, true],
  // matches
  ["matches", when("email", "matches", ["^[a-z]+@acme\\.io$"]), { email: "ann@acme.io" }, true],
  ["matches: no", when("email", "matches", ["^[a-z]+@acme\\.io$"]), { email: "Ann@acme.io" }, false],
  ["matches: unicode mode", when("name", "matches", ["^\\u{1F600}"]), { name: "😀 hi" }, true],
  ["matches: negated", when("email", "matches", ["@acme"], true), { email: "x@corp.io" }, true],
  ["matches: input over the limit never matches", when("text", "matches", ["a"], true), { text: "b".repeat(2000) }, false],
  ["matches: input at the limit is read", when("text", "matches", ["a$"]), { text: `${"b".repeat(1023)}a` }, true],
  ["matches: nested quantifiers run in linear time", when("text", "matches", ["(a+)+$"]), { text: "aaaa" }, true],
  ["matches: \\u escapes read as code points", when("name", "matches", ["^\\uD83D\\uDE00 \\u0068i$"]), { name: "😀 hi" }, true],
  ["matches: a refused pattern never matches", when("text", "matches", ["a(?=b)"]), { text: "ab" }, false],
  ["matches: a refused pattern never matches negated", when("text", "matches", ["(a)\\1"], true), { text: "b" }, false],
  ["matches: an invalid pattern never matches", when("text", "matches", ["(unclosed"], true), { text: "b" }, false],
  ["matches: an over-long pattern never matches", when("text", "matches", ["a".repeat(300)], true), { text: "b" }, false],
  // numbers
  ["lt", when("age", "lt", [18]), { age: 17 }, true],
  ["lt: equal is not less", when("age", "lt", [18]), { age: 18 }, false],
  ["lte", when("age", "lte", [18]), { age: 18 }, true],
  ["gt", when("actionsCount", "gt", [10]), { actionsCount: 11 }, true],
  ["gt: no", when("actionsCount", "gt", [10]), { actionsCount: 10 }, false],
  ["gte", when("actionsCount", "gte", [10]), { actionsCount: 10 }, true],
  ["gte: numeric strings are coerced", when("actionsCount", "gte", [10]), { actionsCount: " 12 " }, true],
  ["gte: other strings are unusable", when("actionsCount", "gte", [10], true), { actionsCount: "many" }, false],
  ["gte: blank strings are unusable", when("actionsCount", "gte", [0], true), { actionsCount: "  " }, false],
  ["gte: booleans are unusable", when("actionsCount", "gte", [0]), { actionsCount: true }, false],
  ["gt negated", when("age", "gt", [65], true), { age: 30 }, true],
  // dates
  ["before: ISO dates", when("signupAt", "before", ["2025-01-01T00:00:00Z"]), { signupAt: "2024-12-31T23:59:59Z" }, true],
  ["before: epoch milliseconds", when("signupAt", "before", ["2025-01-01T00:00:00Z"]), { signupAt: Date.parse("2024-06-01") }, true],
  ["after: ISO dates", when("signupAt", "after", ["2025-01-01"]), { signupAt: "2025-02-01" }, true],
  ["after: no", when("signupAt", "after", ["2025-01-01"]), { signupAt: "2024-02-01" }, false],
  ["before now-7d: signed up 8 days ago", when("signupAt", "before", ["now-7d"]), { signupAt: NOW - 8 * DAY }, true],
  ["before now-7d: signed up 6 days ago", when("signupAt", "before", ["now-7d"]), { signupAt: NOW - 6 * DAY }, false],
  ["after now-7d: signed up 6 days ago", when("signupAt", "after", ["now-7d"]), { signupAt: new Date(NOW - 6 * DAY).toISOString() }, true],
  ["after now+12h", when("renewsAt", "after", ["now+12h"]), { renewsAt: NOW + 13 * 3_600_000 }, true],
  ["before now", when("at", "before", ["now"]), { at: NOW - 1 }, true],
  ["after now-30s", when("at", "after", ["now-30s"]), { at: NOW - 29_000 }, true],
  ["after now-5m", when("at", "after", ["now-5m"]), { at: NOW - 6 * 60_000 }, false],
  ["before now+2w", when("at", "before", ["now+2w"]), { at: NOW + 13 * DAY }, true],
  ["dates: unparseable is unusable", when("at", "before", ["now"], true), { at: "yesterday-ish" }, false],
  ["dates: non-finite numbers are unusable", when("at", "before", ["now"]), { at: Number.POSITIVE_INFINITY }, false],
  ["dates: booleans are unusable", when("at", "before", ["now"], true), { at: true }, false],
  // semver
  ["semver_eq", when("appVersion", "semver_eq", ["1.4.0"]), { appVersion: "1.4.0" }, true],
  ["semver_eq: any value", when("appVersion", "semver_eq", ["1.3.0", "v1.4.0"]), { appVersion: "v1.4.0" }, true],
  ["semver_eq: build metadata is ignored", when("appVersion", "semver_eq", ["1.4.0"]), { appVersion: "1.4.0+abc" }, true],
  ["semver_lt", when("appVersion", "semver_lt", ["2.0.0"]), { appVersion: "1.10.3" }, true],
  ["semver_lt: prereleases sort first", when("appVersion", "semver_lt", ["2.0.0"]), { appVersion: "2.0.0-beta.1" }, true],
  ["semver_lt: no", when("appVersion", "semver_lt", ["2.0.0"]), { appVersion: "2.0.1" }, false],
  ["semver_gt", when("appVersion", "semver_gt", ["1.9.9"]), { appVersion: "1.10.0" }, true],
  ["semver_gt negated", when("appVersion", "semver_gt", ["1.9.9"], true), { appVersion: "1.0.0" }, true],
  ["semver: not a version is unusable", when("appVersion", "semver_lt", ["2.0.0"], true), { appVersion: "latest" }, false],
  ["semver: numbers are unusable", when("appVersion", "semver_lt", ["2.0.0"], true), { appVersion: 1 }, false],
  ["semver: over-long strings are unusable", when("appVersion", "semver_lt", ["2.0.0"], true), { appVersion: `1.0.0-${"a".repeat(300)}` }, false],
  ["semver: an operand semver cannot read never matches", when("appVersion", "semver_lt", ["1.0.0-01"], true), { appVersion: "1.0.0" }, false],
  // exists
  ["exists", when("company", "exists"), { company: "acme" }, true],
  ["exists: false and zero exist", when("company", "exists"), { company: 0 }, true],
  ["exists: null does not", when("company", "exists"), { company: null }, false],
  ["exists: absent does not", when("company", "exists"), {}, false],
  ["exists negated: absent", when("company", "exists", [], true), {}, true],
  ["exists negated: present", when("company", "exists", [], true), { company: "x" }, false],
  // missing attributes
  ["a missing attribute fails", when("plan", "equals", ["pro"]), {}, false],
  ["a missing attribute fails even negated", when("plan", "equals", ["pro"], true), {}, false],
  ["a null attribute fails even negated", when("plan", "equals", ["pro"], true), { plan: null }, false],
  // percentage
  ["percentage 100 takes everyone", when("targetingKey", "percentage", [100]), { targetingKey: "u1" }, true],
  ["percentage 0 takes nobody", when("targetingKey", "percentage", [0]), { targetingKey: "u1" }, false],
  ["percentage 0 negated takes everyone", when("targetingKey", "percentage", [0], true), { targetingKey: "u1" }, true],
  ["percentage of a number", when("accountId", "percentage", [100]), { accountId: 12 }, true],
  ["percentage without its attribute", when("targetingKey", "percentage", [100], true), {}, false],
  ["percentage of an object", when("accountId", "percentage", [100]), { accountId: {} }, false],
];

describe("operators", () => {
  it.each(cases)("%s", (_name, condition, context, expected) => {
    expect(matches([condition], context)).toBe(expected);
  });

  it("handles rules too large to generate code for", () => {
    const many = Array.from({ length: 1001 }, (_, i) => when(`a${i}`, "exists"));
    const all = Object.fromEntries(many.map((c) => [c.attribute, 1]));
    expect(matches(many, all)).toBe(true);
    expect(matches(many, { ...all, a1000: null })).toBe(false);
    const parts = { segments: [segment("big", { rules: [{ conditions: many }] })] };
    expect(matches([when("x", "in_segment", ["big"])], all, parts)).toBe(true);
  });

  it.each(["(a|a)*b", "(a|aa)+$", "(.*a){20}", "(a+)+$", "(\\w+\\s?)*$", "a*a*a*a*a*a*a*!"])("matches %s against hostile inputs in linear time", (pattern) => {
    const stored = snapshot({ flags: [flag({ key: "f", state: { rules: [rule("r", [when("text", "matches", [pattern])])] } })] });
    const compiled = compile(stored);
    expect(compiled.issues).toEqual([]);
    const hostile = (n: number) => ["a".repeat(n), `${"a".repeat(n - 1)}!`, "ab".repeat(n / 2)];
    const evaluateAll = (texts: string[]) => {
      for (const text of texts) evaluate(compiled, "f", { targetingKey: "u", text }, { now: NOW });
    };
    // 1,024 characters against 128: about eight times the work when linear, 64 when quadratic; the speed itself is not asserted.
    const ratio = growthRatio(hostile, evaluateAll, { size: 128, factor: 8 });
    expect(ratio < 32 ? "below quadratic" : ratio).toBe("below quadratic");
  }, 60_000);

  it("matches a percentage condition with the bucket a split of the flag would use", () => {
    const inRollout = Array.from({ length: 2000 }, (_, i) => `user-${i}`).filter((key) => matches([when("targetingKey", "percentage", [12.5])], { targetingKey: key }));
    expect(inRollout.length / 2000).toBeGreaterThan(0.1);
    expect(inRollout.length / 2000).toBeLessThan(0.15);
    expect(inRollout.every((key) => matches([when("targetingKey", "percentage", [12.501])], { targetingKey: key }))).toBe(true);
  });
});

describe("attribute lookup", () => {
  const identity = { key: "u1", traits: { stage: "onboarding", emailVerified: true, address: { country: "NO" }, plan: "free" } };
  const parts = { identities: [identity], tenants: [tenant("acme", { plan: "enterprise", billing: { tier: 2 } })] };

  it.each<Case>([
    ["traits are read for the targetingKey", when("stage", "equals", ["onboarding"]), { targetingKey: "u1" }, true],
    ["request attributes win over traits", when("plan", "equals", ["pro"]), { targetingKey: "u1", plan: "pro" }, true],
    ["a null request attribute hides the trait", when("plan", "exists"), { targetingKey: "u1", plan: null }, false],
    ["another user's traits are not read", when("stage", "exists"), { targetingKey: "u2" }, false],
    ["dotted paths read nested objects", when("address.country", "equals", ["NO"]), { address: { country: "NO" } }, true],
    ["dotted paths read nested traits", when("address.country", "equals", ["NO"]), { targetingKey: "u1" }, true],
    ["a request object hides the whole trait object", when("address.country", "exists"), { targetingKey: "u1", address: { city: "Oslo" } }, false],
    ["a top-level dotted key wins over the path", when("address.country", "equals", ["SE"]), { "address.country": "SE", address: { country: "NO" } }, true],
    ["a path through a non-object is absent", when("address.country", "exists"), { address: "Oslo" }, false],
    ["a path through null is absent", when("address.country", "exists"), { address: null }, false],
    ["a name with an empty segment is only a key", when("a..b", "equals", ["x"]), { "a..b": "x" }, true],
    ["a name with an empty segment is no path", when("a..b", "exists"), { a: { "": { b: 1 } } }, false],
    ["tenant.<name> reads the stored tenant", when("tenant.plan", "equals", ["enterprise"]), { tenantKey: "acme" }, true],
    ["tenant.<path> reads nested tenant attributes", when("tenant.billing.tier", "gte", [2]), { tenantKey: "acme" }, true],
    ["tenant attributes cannot be spoofed by the request", when("tenant.plan", "equals", ["enterprise"]), { tenantKey: "other", "tenant.plan": "enterprise", tenant: { plan: "enterprise" } }, false],
    ["tenant attributes need a tenant", when("tenant.plan", "exists"), {}, false],
    ["inherited constructor is absent", when("constructor", "exists"), {}, false],
    ["inherited __proto__ is absent", when("__proto__", "exists"), {}, false],
    ["inherited toString is absent", when("toString", "exists"), {}, false],
    ["nested inherited keys are absent", when("address.constructor", "exists"), { address: {} }, false],
    ["prototype attributes are absent", when("isAdmin", "exists"), Object.create({ isAdmin: true }) as Record<string, unknown>, false],
    ["an own __proto__ key from JSON is data", when("__proto__", "equals", ["x"]), JSON.parse('{"__proto__":"x"}') as Record<string, unknown>, true],
  ])("%s", (_name, condition, context, expected) => {
    expect(matches([condition], context, parts)).toBe(expected);
  });

  it("never lets a trait's __proto__ key reach the prototype", () => {
    const hostile = { key: "u9", traits: JSON.parse('{"__proto__":{"admin":true},"plan":"pro"}') as Record<string, never> };
    expect(matches([when("admin", "exists")], { targetingKey: "u9" }, { identities: [hostile] })).toBe(false);
    expect(matches([when("plan", "equals", ["pro"])], { targetingKey: "u9" }, { identities: [hostile] })).toBe(true);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe("segments", () => {
  const segments = [
    segment("beta", { includedUsers: ["ann", "bob"], excludedUsers: ["bob"], includedTenants: ["acme"], excludedTenants: ["evil"] }),
    segment("vip", { rules: [{ conditions: [when("tenant.plan", "equals", ["enterprise"])] }, { conditions: [when("spend", "gt", [1000])] }] }),
    segment("loop", { rules: [{ conditions: [when("x", "in_segment", ["loop"])] }] }),
    segment("ping", { rules: [{ conditions: [when("x", "in_segment", ["pong"])] }] }),
    segment("pong", { rules: [{ conditions: [when("x", "in_segment", ["ping"])] }, { conditions: [when("pong", "exists")] }] }),
    segment("both", { excludedUsers: ["carl"], rules: [{ conditions: [when("spend", "gt", [0])] }] }),
    segment("empty-rule", { rules: [{ conditions: [] }] }),
  ];
  const parts = { segments, tenants: [tenant("acme", { plan: "pro" }), tenant("big", { plan: "enterprise" }), tenant("evil", {})] };

  it.each<Case>([
    ["an included user is in", when("targetingKey", "in_segment", ["beta"]), { targetingKey: "ann" }, true],
    ["an excluded user is out even if included", when("targetingKey", "in_segment", ["beta"]), { targetingKey: "bob" }, false],
    ["an included tenant is in", when("targetingKey", "in_segment", ["beta"]), { targetingKey: "zoe", tenantKey: "acme" }, true],
    ["an excluded tenant is out, whoever the user", when("targetingKey", "in_segment", ["beta"]), { targetingKey: "ann", tenantKey: "evil" }, false],
    ["nobody else is in", when("targetingKey", "in_segment", ["beta"]), { targetingKey: "zoe" }, false],
    ["negated: nobody else is outside", when("targetingKey", "in_segment", ["beta"], true), { targetingKey: "zoe" }, true],
    ["any segment of the list", when("targetingKey", "in_segment", ["vip", "beta"]), { targetingKey: "ann" }, true],
    ["a segment rule over tenant attributes", when("targetingKey", "in_segment", ["vip"]), { tenantKey: "big" }, true],
    ["a second segment rule", when("targetingKey", "in_segment", ["vip"]), { spend: 5000 }, true],
    ["no segment rule holds", when("targetingKey", "in_segment", ["vip"]), { tenantKey: "acme", spend: 5 }, false],
    ["exclusion beats the rules", when("targetingKey", "in_segment", ["both"]), { targetingKey: "carl", spend: 5 }, false],
    ["a self-referencing segment ends, out", when("targetingKey", "in_segment", ["loop"]), { x: 1 }, false],
    ["mutually referencing segments end", when("targetingKey", "in_segment", ["ping"]), { x: 1 }, false],
    ["mutually referencing segments still use other rules", when("targetingKey", "in_segment", ["ping"]), { pong: true }, true],
    ["an unknown segment has nobody", when("targetingKey", "in_segment", ["ghost"]), { targetingKey: "ann" }, false],
    ["a segment rule without conditions is dropped", when("targetingKey", "in_segment", ["empty-rule"]), { targetingKey: "ann" }, false],
  ])("%s", (_name, condition, context, expected) => {
    expect(matches([condition], context, parts)).toBe(expected);
  });

  it("reports the dropped segment rule at compile", () => {
    expect(compile(snapshot(parts)).issues).toContainEqual({ path: "segments[6].rules[0]", message: "the segment rule has no conditions; dropped" });
  });
});
