import type { EnvironmentSnapshot, SnapshotFlag } from "@ensign/contracts/snapshot";
import { EvaluationResult } from "@ensign/contracts/evaluation";
import { describe, expect, it } from "vitest";
import { DAY, NOW, flag, rollout, rule, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate, evaluateAll, flagKeys } from "./index";
import type { EvaluateOptions } from "./types";

const past = new Date(NOW - DAY).toISOString();
const future = new Date(NOW + DAY).toISOString();

const prerequisites: SnapshotFlag[] = [
  flag({ key: "yes", state: { fallthrough: { variant: "on" } } }),
  flag({ key: "no" }),
  flag({ key: "gone", archived: true, state: { fallthrough: { variant: "on" } } }),
  flag({ key: "text", type: "string", variants: [{ key: "a", value: "hello" }, { key: "e", value: "" }], offVariant: "e", onVariant: "a", state: { fallthrough: { variant: "a" } } }),
  flag({ key: "empty-text", type: "string", variants: [{ key: "e", value: "" }], offVariant: "e", onVariant: "e", state: { fallthrough: { variant: "e" } } }),
  flag({ key: "zero", type: "number", variants: [{ key: "z", value: 0 }], offVariant: "z", onVariant: "z", state: { fallthrough: { variant: "z" } } }),
  flag({ key: "seven", type: "number", variants: [{ key: "n", value: 7 }], offVariant: "n", onVariant: "n", state: { fallthrough: { variant: "n" } } }),
  flag({ key: "nothing", type: "json", variants: [{ key: "n", value: null }], offVariant: "n", onVariant: "n", state: { fallthrough: { variant: "n" } } }),
  flag({ key: "object", type: "json", variants: [{ key: "o", value: { a: 1 } }], offVariant: "o", onVariant: "o", state: { fallthrough: { variant: "o" } } }),
  flag({ key: "by-user", state: { rules: [rule("vip", [when("vip", "equals", [true])])] } }),
];

type Subject = Partial<Omit<SnapshotFlag, "state">> & { state?: Partial<SnapshotFlag["state"]> };

function run(
  subject: Subject,
  context: unknown,
  options: EvaluateOptions = {},
  parts: Partial<EnvironmentSnapshot> = {},
): EvaluationResult {
  const compiled = compile(
    snapshot({
      flags: [flag({ key: "subject", ...subject }), ...prerequisites],
      tenants: [tenant("acme", { plan: "pro" }), tenant("fin-off", {}, ["FIN"])],
      ...parts,
    }),
  );
  const result = evaluate(compiled, "subject", context, { now: NOW, ...options });
  expect(EvaluationResult.safeParse(result).success).toBe(true);
  return result;
}

const on = { value: true, variant: "on" };
const off = { value: false, variant: "off" };

describe("the decision order of SPEC §2", () => {
  it.each([
    // 1. unknown or archived
    ["an archived flag is not found", { archived: true }, {}, { value: null, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" }],
    // 2. module
    ["a module off for the tenant disables the flag", { module: "FIN", state: { userOverrides: [{ userKey: "u", variant: "on" }], tenantAllow: ["fin-off"] } }, { targetingKey: "u", tenantKey: "fin-off" }, { ...off, reason: "DISABLED", detail: "MODULE_DISABLED" }],
    ["a module on for the tenant lets the flag through", { module: "FIN", state: { fallthrough: { variant: "on" } } }, { tenantKey: "acme" }, { ...on, reason: "STATIC" }],
    ["a module with no tenant in the context lets the flag through", { module: "FIN", state: { fallthrough: { variant: "on" } } }, {}, { ...on, reason: "STATIC" }],
    ["a tenant unknown to the snapshot has every module on", { module: "FIN", state: { fallthrough: { variant: "on" } } }, { tenantKey: "new" }, { ...on, reason: "STATIC" }],
    // 3. kill switch
    ["the kill switch beats overrides", { state: { enabled: false, userOverrides: [{ userKey: "u", variant: "on" }], tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: true }] } }, { targetingKey: "u", tenantKey: "acme" }, { ...off, reason: "DISABLED", detail: "FLAG_DISABLED" }],
    // 4. prerequisites
    ["a truthy prerequisite lets the flag through", { dependsOn: ["yes", "text", "seven", "object"], state: { fallthrough: { variant: "on" } } }, {}, { ...on, reason: "STATIC" }],
    ["a false prerequisite disables", { dependsOn: ["yes", "no"], state: { fallthrough: { variant: "on" } } }, {}, { ...off, reason: "DISABLED", detail: "PREREQUISITE_FAILED:no" }],
    ["an empty-string prerequisite disables", { dependsOn: ["empty-text"], state: { fallthrough: { variant: "on" } } }, {}, { ...off, detail: "PREREQUISITE_FAILED:empty-text" }],
    ["a zero prerequisite disables", { dependsOn: ["zero"], state: { fallthrough: { variant: "on" } } }, {}, { ...off, detail: "PREREQUISITE_FAILED:zero" }],
    ["a null json prerequisite disables", { dependsOn: ["nothing"], state: { fallthrough: { variant: "on" } } }, {}, { ...off, detail: "PREREQUISITE_FAILED:nothing" }],
    ["an unknown prerequisite disables", { dependsOn: ["missing"], state: { fallthrough: { variant: "on" } } }, {}, { ...off, detail: "PREREQUISITE_FAILED:missing" }],
    ["an archived prerequisite disables", { dependsOn: ["gone"], state: { fallthrough: { variant: "on" } } }, {}, { ...off, detail: "PREREQUISITE_FAILED:gone" }],
    ["a prerequisite is evaluated for the same context", { dependsOn: ["by-user"], state: { fallthrough: { variant: "on" } } }, { vip: true }, { ...on }],
    ["a prerequisite false for this context disables", { dependsOn: ["by-user"], state: { fallthrough: { variant: "on" } } }, { vip: false }, { ...off, detail: "PREREQUISITE_FAILED:by-user" }],
    ["a self-dependency is an error, not a loop", { dependsOn: ["subject"] }, {}, { value: null, reason: "ERROR", errorCode: "GENERAL" }],
    // 5. user override
    ["an unexpired user override serves its variant", { state: { userOverrides: [{ userKey: "u", variant: "on", expiresAt: future }], tenantDeny: ["acme"] } }, { targetingKey: "u", tenantKey: "acme" }, { ...on, reason: "TARGETING_MATCH", detail: "USER_OVERRIDE" }],
    ["a user override without expiry never expires", { state: { userOverrides: [{ userKey: "u", variant: "on", expiresAt: null }] } }, { targetingKey: "u" }, { ...on, detail: "USER_OVERRIDE" }],
    ["an expired user override is ignored", { state: { userOverrides: [{ userKey: "u", variant: "on", expiresAt: past }] } }, { targetingKey: "u" }, { ...off, reason: "DEFAULT", detail: "FALLTHROUGH" }],
    ["an override expiring exactly now is expired", { state: { userOverrides: [{ userKey: "u", variant: "on", expiresAt: new Date(NOW).toISOString() }] } }, { targetingKey: "u" }, { ...off, detail: "FALLTHROUGH" }],
    ["an unreadable expiry never applies", { state: { userOverrides: [{ userKey: "u", variant: "on", expiresAt: "soon" }] } }, { targetingKey: "u" }, { ...off, detail: "FALLTHROUGH" }],
    ["another user's override does not apply", { state: { userOverrides: [{ userKey: "u", variant: "on" }] } }, { targetingKey: "v" }, { ...off, detail: "FALLTHROUGH" }],
    // 6. tenants
    ["the deny list beats a locked override", { state: { tenantDeny: ["acme"], tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: true }] } }, { tenantKey: "acme" }, { ...off, reason: "TARGETING_MATCH", detail: "TENANT_DENY" }],
    ["a locked override beats the allow list", { state: { tenantAllow: ["acme"], tenantOverrides: [{ tenantKey: "acme", variant: "off", locked: true }] } }, { tenantKey: "acme" }, { ...off, reason: "TARGETING_MATCH", detail: "TENANT_OVERRIDE_LOCKED" }],
    ["an expired locked override is ignored", { state: { tenantAllow: ["acme"], tenantOverrides: [{ tenantKey: "acme", variant: "off", locked: true, expiresAt: past }] } }, { tenantKey: "acme" }, { ...on, detail: "TENANT_ALLOW" }],
    ["the allow list serves the on variant over an unlocked override", { state: { tenantAllow: ["acme"], tenantOverrides: [{ tenantKey: "acme", variant: "off", locked: false }] } }, { tenantKey: "acme" }, { ...on, reason: "TARGETING_MATCH", detail: "TENANT_ALLOW" }],
    ["an unlocked override beats the rules", { state: { tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: false, expiresAt: future }], rules: [rule("r", [], { variant: "off" })] } }, { tenantKey: "acme" }, { ...on, reason: "TARGETING_MATCH", detail: "TENANT_OVERRIDE" }],
    ["an expired unlocked override is ignored", { state: { tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: false, expiresAt: past }] } }, { tenantKey: "acme" }, { ...off, detail: "FALLTHROUGH" }],
    ["tenant lists do nothing without a tenantKey", { state: { tenantDeny: ["acme"], tenantAllow: ["acme"] } }, { targetingKey: "acme" }, { ...off, detail: "FALLTHROUGH" }],
    // 7. rules
    ["the first matching rule wins", { state: { rules: [rule("a", [when("plan", "equals", ["free"])], { variant: "off" }), rule("b", [when("plan", "equals", ["pro"])]), rule("c", [])] } }, { plan: "pro" }, { ...on, reason: "TARGETING_MATCH", detail: "RULE:b", ruleId: "b" }],
    ["all conditions of a rule must hold", { state: { rules: [rule("a", [when("plan", "equals", ["pro"]), when("country", "equals", ["NO"])])] } }, { plan: "pro", country: "SE" }, { ...off, reason: "DEFAULT", detail: "FALLTHROUGH" }],
    ["a rule may serve a split", { state: { rules: [rule("s", [], rollout(100))] } }, { targetingKey: "u" }, { ...on, reason: "SPLIT", detail: "RULE:s", ruleId: "s" }],
    ["a rule split without its bucket key is skipped", { state: { rules: [rule("s", [], rollout(100, "company")), rule("t", [])] } }, { targetingKey: "u" }, { ...on, reason: "TARGETING_MATCH", detail: "RULE:t" }],
    // 8. fallthrough
    ["a plain fallthrough is STATIC", { state: { fallthrough: { variant: "on" } } }, {}, { ...on, reason: "STATIC", detail: "FALLTHROUGH" }],
    ["a fallthrough behind rules is DEFAULT", { state: { rules: [rule("a", [when("x", "exists")])], fallthrough: { variant: "on" } } }, {}, { ...on, reason: "DEFAULT", detail: "FALLTHROUGH" }],
    ["a fallthrough split is SPLIT", { state: { fallthrough: rollout(100) } }, { targetingKey: "u" }, { ...on, reason: "SPLIT", detail: "FALLTHROUGH" }],
    ["a fallthrough split by tenant", { state: { fallthrough: rollout(100, "tenantKey") } }, { tenantKey: "acme" }, { ...on, reason: "SPLIT", detail: "FALLTHROUGH" }],
    ["a fallthrough split without its bucket key serves off", { state: { fallthrough: rollout(100) } }, {}, { ...off, reason: "DEFAULT", detail: "FALLTHROUGH:NO_BUCKET_KEY" }],
    ["an empty bucket key is no bucket key", { state: { fallthrough: rollout(100) } }, { targetingKey: "" }, { ...off, detail: "FALLTHROUGH:NO_BUCKET_KEY" }],
  ])("%s", (_name, subject, context, expected) => {
    expect(run(subject as Subject, context)).toMatchObject(expected);
  });

  it("answers FLAG_NOT_FOUND for a key not in the snapshot, with the caller's default", () => {
    const compiled = compile(snapshot());
    expect(evaluate(compiled, "nope", {}, { defaultValue: "fallback" })).toEqual({
      key: "nope",
      value: "fallback",
      reason: "ERROR",
      detail: "FLAG_NOT_FOUND",
      errorCode: "FLAG_NOT_FOUND",
      errorMessage: "no flag 'nope' in this environment",
    });
  });

  it("detects a prerequisite cycle and answers ERROR instead of recursing", () => {
    const compiled = compile(snapshot({ flags: [flag({ key: "a", dependsOn: ["b"] }), flag({ key: "b", dependsOn: ["c"] }), flag({ key: "c", dependsOn: ["a"] })] }));
    const result = evaluate(compiled, "a", {}, { trace: true });
    expect(result).toMatchObject({ reason: "ERROR", errorCode: "GENERAL", errorMessage: "prerequisite cycle: a → b → c → a" });
    expect(result.trace?.at(-1)).toMatchObject({ step: "prerequisite:b", outcome: "error" });
  });

  it("refuses prerequisite chains deeper than the limit", () => {
    const flags = Array.from({ length: 70 }, (_, i) => flag({ key: `f${i}`, dependsOn: i < 69 ? [`f${i + 1}`] : [], state: { fallthrough: { variant: "on" } } }));
    const compiled = compile(snapshot({ flags }));
    expect(evaluate(compiled, "f0", {})).toMatchObject({ reason: "ERROR", errorMessage: "prerequisites nest deeper than 64 flags" });
    expect(evaluate(compiled, "f10", {})).toMatchObject({ value: true });
  });
});

describe("the type guarantee", () => {
  it.each([
    ["a variant of the wrong type", { variants: [{ key: "on", value: "yes" }, { key: "off", value: false }], state: { fallthrough: { variant: "on" } } }, {}, { value: null, reason: "ERROR", errorCode: "TYPE_MISMATCH" }],
    ["a variant that does not exist", { state: { rules: [rule("r", [], { variant: "ghost" })] } }, {}, { value: null, reason: "ERROR", errorCode: "GENERAL", errorMessage: "variant 'ghost' does not exist" }],
    ["an off variant that does not exist", { offVariant: "ghost", state: { enabled: false } }, {}, { reason: "ERROR", errorCode: "GENERAL" }],
    ["a split allocation that does not exist", { state: { fallthrough: { split: { allocations: [{ variant: "ghost", weight: 100_000 }] } } } }, { targetingKey: "u" }, { reason: "ERROR", errorCode: "GENERAL" }],
    ["a number variant that is not finite", { type: "number", variants: [{ key: "n", value: Number.NaN }], offVariant: "n", onVariant: "n", state: { fallthrough: { variant: "n" } } }, {}, { reason: "ERROR", errorCode: "TYPE_MISMATCH" }],
  ])("%s answers the caller's default with ERROR", (_name, subject, context, expected) => {
    expect(run(subject as Subject, context)).toMatchObject(expected);
  });

  it.each([
    ["boolean", false],
    ["string", ""],
    ["number", 0],
    ["json", null],
  ] as const)("answers TYPE_MISMATCH when the caller expects %s from a flag of another type", (expectedType, zero) => {
    const subject = expectedType === "boolean" ? { type: "string" as const, variants: [{ key: "on", value: "x" }, { key: "off", value: "" }] } : {};
    expect(run(subject, {}, { expectedType })).toMatchObject({ value: zero, reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    expect(run(subject, {}, { expectedType, defaultValue: "mine" })).toMatchObject({ value: "mine", errorCode: "TYPE_MISMATCH" });
  });

  it("serves values of every type when the caller expects that type", () => {
    const json = { type: "json" as const, variants: [{ key: "on", value: { theme: "dark", sizes: [1, 2] } }, { key: "off", value: null }], state: { fallthrough: { variant: "on" } } };
    const result = run(json, {}, { expectedType: "json" });
    expect(result.value).toEqual({ theme: "dark", sizes: [1, 2] });
    expect(Object.isFrozen(result.value)).toBe(true);
  });
});

describe("contexts", () => {
  it.each([null, undefined, "user", 42, true, [], [{ targetingKey: "u" }]])("refuses %j with INVALID_CONTEXT", (context) => {
    expect(run({}, context)).toMatchObject({ reason: "ERROR", errorCode: "INVALID_CONTEXT", value: null });
  });

  it.each([{ targetingKey: 1 }, { tenantKey: { key: "acme" } }])("refuses a key that is not a string: %j", (context) => {
    expect(run({}, context, { trace: true })).toMatchObject({ errorCode: "INVALID_CONTEXT", trace: [{ step: "context", outcome: "error" }] });
  });

  it("treats null keys as absent", () => {
    expect(run({ state: { fallthrough: rollout(100) } }, { targetingKey: null, tenantKey: null })).toMatchObject({ detail: "FALLTHROUGH:NO_BUCKET_KEY" });
  });

  it("reads the clock only when no moment is injected", () => {
    const compiled = compile(snapshot({ flags: [flag({ key: "f", state: { userOverrides: [{ userKey: "u", variant: "on", expiresAt: new Date(Date.now() + DAY).toISOString() }] } })] }));
    expect(evaluate(compiled, "f", { targetingKey: "u" })).toMatchObject({ detail: "USER_OVERRIDE" });
    expect(evaluate(compiled, "f", { targetingKey: "u" }, { now: Number.NaN })).toMatchObject({ detail: "USER_OVERRIDE" });
    expect(evaluate(compiled, "f", { targetingKey: "u" }, { now: Date.now() + 2 * DAY })).toMatchObject({ detail: "FALLTHROUGH" });
  });
});

describe("evaluateAll and flagKeys", () => {
  const compiled = compile(
    snapshot({
      flags: [flag({ key: "a", state: { fallthrough: { variant: "on" } } }), flag({ key: "b", archived: true }), flag({ key: "c", dependsOn: ["a"] }), flag({ key: "d", dependsOn: ["d"] })],
    }),
  );

  it("lists the flags that are not archived, in snapshot order", () => {
    expect(flagKeys(compiled)).toEqual(["a", "c", "d"]);
  });

  it("evaluates each of them for one context", () => {
    const results = evaluateAll(compiled, { targetingKey: "u" }, { now: NOW });
    expect(results.map((r) => [r.key, r.value, r.reason])).toEqual([
      ["a", true, "STATIC"],
      ["c", false, "STATIC"],
      ["d", null, "ERROR"],
    ]);
  });

  it("traces each flag separately when asked", () => {
    const results = evaluateAll(compiled, {}, { trace: true });
    expect(results.every((r) => r.trace?.[0]?.step === "flag")).toBe(true);
    expect(results[0]?.trace).not.toBe(results[1]?.trace);
  });

  it("answers INVALID_CONTEXT for every flag when the context is unusable", () => {
    expect(evaluateAll(compiled, "nope").map((r) => r.errorCode)).toEqual(["INVALID_CONTEXT", "INVALID_CONTEXT", "INVALID_CONTEXT"]);
    expect(evaluateAll(compiled, [], { trace: true })[0]?.trace).toEqual([{ step: "context", outcome: "error", message: "the context is not an object" }]);
  });
});

describe("hostile input", () => {
  const compiled = compile(snapshot({ flags: [flag({ key: "f", state: { rules: [rule("r", [when("plan", "in", ["pro"])])] } }), flag({ key: "g" })] }));

  it("never throws for garbage in place of a compiled snapshot or a key", () => {
    expect(evaluate(undefined as never, "f", {}, { defaultValue: 1 })).toMatchObject({ key: "f", value: 1, reason: "ERROR", errorCode: "GENERAL" });
    expect(evaluate(compiled, 5 as never, {})).toMatchObject({ key: "", errorCode: "FLAG_NOT_FOUND" });
    expect(evaluate(null as never, 5 as never, {})).toMatchObject({ key: "", errorCode: "GENERAL" });
    expect(evaluateAll(undefined as never, {})).toEqual([]);
    expect(evaluateAll({} as never, {})).toEqual([]);
    expect(flagKeys({ activeFlags: "f" } as never)).toEqual([]);
  });

  it("answers GENERAL when the context's getters throw, in single and bulk evaluation", () => {
    const context = { targetingKey: "u", get plan(): never { throw new Error("getter"); } };
    expect(evaluate(compiled, "f", context)).toMatchObject({ reason: "ERROR", errorCode: "GENERAL", errorMessage: "getter" });
    expect(evaluateAll(compiled, context).map((r) => [r.key, r.errorCode])).toEqual([["f", "GENERAL"], ["g", undefined]]);
    const unreadable = new Proxy({}, { getPrototypeOf: () => { throw new Error("no prototype"); } });
    expect(evaluateAll(compiled, unreadable).map((r) => r.errorMessage)).toEqual(["no prototype", "no prototype"]);
  });

  it("survives options whose getters throw", () => {
    const options = { get trace(): never { throw new Error("t"); }, get defaultValue(): never { throw new Error("d"); } };
    expect(evaluate(compiled, "f", {}, options as never)).toMatchObject({ value: null, errorCode: "GENERAL" });
    const once = { expectedType: "boolean" as const, get trace(): never { throw new Error("t"); } };
    expect(evaluate(compiled, "f", {}, once)).toMatchObject({ value: false, errorCode: "GENERAL" });
  });

  it("ignores inherited keys and a polluted Object.prototype", () => {
    const proto = Object.prototype as Record<string, unknown>;
    const inherited = Object.create({ targetingKey: "u", tenantKey: "acme", plan: "pro" }) as Record<string, unknown>;
    expect(evaluate(compiled, "f", inherited)).toMatchObject({ detail: "FALLTHROUGH" });
    proto.plan = "pro";
    proto.tenantKey = "acme";
    proto.targetingKey = "u";
    try {
      expect(evaluate(compiled, "f", {})).toMatchObject({ detail: "FALLTHROUGH" });
      expect(evaluate(compiled, "f", { plan: "pro" })).toMatchObject({ detail: "RULE:r" });
      expect(evaluate(compile(snapshot({ flags: [flag({ key: "s", state: { fallthrough: rollout(100) } })] })), "s", {})).toMatchObject({ detail: "FALLTHROUGH:NO_BUCKET_KEY" });
    } finally {
      delete proto.plan;
      delete proto.tenantKey;
      delete proto.targetingKey;
    }
  });

  it("reads own keys of contexts with a prototype of their own", () => {
    const own = Object.assign(Object.create({ extra: 1 }) as Record<string, unknown>, { targetingKey: "u", plan: "pro" });
    expect(evaluate(compiled, "f", own)).toMatchObject({ detail: "RULE:r" });
  });
});
