import type { SnapshotFlag } from "@ensign/contracts/snapshot";
import type { TraceStep } from "@ensign/contracts/evaluation";
import { describe, expect, it } from "vitest";
import { DAY, NOW, flag, rollout, rule, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate } from "./index";

const past = new Date(NOW - DAY).toISOString();

const flags: SnapshotFlag[] = [
  flag({
    key: "checkout",
    module: "STR",
    deprecated: true,
    dependsOn: ["base"],
    state: {
      userOverrides: [{ userKey: "old", variant: "on", expiresAt: past }],
      rules: [
        rule("staff", [when("email", "ends_with", ["@acme.io"]), when("tenant.plan", "equals", ["enterprise"])]),
        rule("beta", [when("beta", "equals", [true])], rollout(100, "company")),
      ],
      fallthrough: rollout(100),
    },
  }),
  flag({ key: "base", state: { fallthrough: { variant: "on" } } }),
];

const compiled = compile(snapshot({ flags, tenants: [tenant("acme", { plan: "pro" }), tenant("closed", {}, ["STR"])] }));
const trace = (key: string, context: unknown) => evaluate(compiled, key, context, { now: NOW, trace: true }).trace as TraceStep[];

describe("traces", () => {
  it("list every step taken and why", () => {
    expect(trace("checkout", { targetingKey: "old", tenantKey: "acme", email: "ann@acme.io", beta: true })).toEqual([
      { step: "flag", outcome: "passed", message: "boolean flag, state version 1, deprecated" },
      { step: "module", outcome: "passed", message: "module 'STR': on for tenant 'acme'" },
      { step: "enabled", outcome: "passed", message: "the flag is switched on in this environment" },
      { step: "prerequisite:base", outcome: "passed", message: 'evaluated to true (STATIC, FALLTHROUGH)' },
      { step: "user_override", outcome: "skipped", message: `the override for user 'old' is ignored: it expired at ${past}` },
      { step: "tenant_deny", outcome: "skipped", message: "tenant 'acme' is not on the deny list" },
      { step: "tenant_override_locked", outcome: "skipped", message: "no locked override for tenant 'acme'" },
      { step: "tenant_allow", outcome: "skipped", message: "tenant 'acme' is not on the allow list" },
      { step: "tenant_override", outcome: "skipped", message: "no unlocked override for tenant 'acme'" },
      { step: "rule:staff", outcome: "skipped", message: 'condition 2 of 2 (tenant.plan equals ["enterprise"]) does not hold' },
      { step: "rule:beta", outcome: "skipped", message: "its condition holds, but the context has no 'company' to split by" },
      { step: "fallthrough", outcome: "matched", message: expect.stringMatching(/^bucket \d+ of the split serves variant 'on'$/) as string },
    ]);
  });

  it("say why a missing bucket key sends the fallthrough to the off variant", () => {
    expect(trace("checkout", {}).slice(-2)).toEqual([
      { step: "rule:beta", outcome: "skipped", message: "condition 1 of 1 (beta equals [true]) does not hold: attribute 'beta' is missing" },
      { step: "fallthrough", outcome: "matched", message: "the context has no 'targetingKey' to split by; serves the off variant 'off'" },
    ]);
  });

  it("stop at the module of a tenant that has it off", () => {
    expect(trace("checkout", { tenantKey: "closed" }).slice(1)).toEqual([{ step: "module", outcome: "failed", message: "module 'STR' is switched off for tenant 'closed'" }]);
  });

  it("name the step that failed", () => {
    expect(trace("nope", {})).toEqual([{ step: "flag", outcome: "error", message: "no flag 'nope' in this environment" }]);
    expect(evaluate(compiled, "base", {}, { trace: true, expectedType: "string" }).trace).toEqual([{ step: "flag", outcome: "error", message: "flag 'base' is a boolean flag, not a string one" }]);
    expect(trace("base", 5)).toEqual([{ step: "context", outcome: "error", message: "the context is not an object" }]);
  });

  it.each<[string, SnapshotFlag, Record<string, unknown>, TraceStep[]]>([
    ["no module", flag({ key: "t" }), {}, [{ step: "module", outcome: "skipped", message: "the flag belongs to no module" }]],
    ["a module and no tenant", flag({ key: "t", module: "FIN" }), {}, [{ step: "module", outcome: "passed", message: "module 'FIN': no tenant in the context" }]],
    ["the kill switch", flag({ key: "t", state: { enabled: false } }), {}, [{ step: "enabled", outcome: "failed", message: "the flag is switched off in this environment" }]],
    ["a missing prerequisite", flag({ key: "t", dependsOn: ["ghost"] }), {}, [{ step: "prerequisite:ghost", outcome: "failed", message: "the flag does not exist or is archived" }]],
    ["a falsy prerequisite", flag({ key: "t", dependsOn: ["off-flag"] }), {}, [{ step: "prerequisite:off-flag", outcome: "failed", message: "evaluated to false (STATIC, FALLTHROUGH)" }]],
    ["a prerequisite cycle", flag({ key: "t", dependsOn: ["t"] }), {}, [{ step: "prerequisite:t", outcome: "error", message: "prerequisite cycle: t → t" }]],
    ["a user override", flag({ key: "t", state: { userOverrides: [{ userKey: "u", variant: "on" }] } }), { targetingKey: "u" }, [{ step: "user_override", outcome: "matched", message: "user 'u' is overridden to variant 'on'" }]],
    ["no user", flag({ key: "t" }), {}, [{ step: "user_override", outcome: "skipped", message: "no targetingKey in the context" }]],
    ["an unreadable expiry", flag({ key: "t", state: { userOverrides: [{ userKey: "u", variant: "on", expiresAt: "later" }] } }), { targetingKey: "u" }, [{ step: "user_override", outcome: "skipped", message: "the override for user 'u' is ignored: its expiry date is unreadable" }]],
    ["no tenant", flag({ key: "t" }), {}, ["tenant_deny", "tenant_override_locked", "tenant_allow", "tenant_override"].map((step) => ({ step, outcome: "skipped" as const, message: "no tenantKey in the context" }))],
    ["the deny list", flag({ key: "t", state: { tenantDeny: ["acme"] } }), { tenantKey: "acme" }, [{ step: "tenant_deny", outcome: "matched", message: "tenant 'acme' is on the deny list" }]],
    ["a locked override", flag({ key: "t", state: { tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: true }] } }), { tenantKey: "acme" }, [{ step: "tenant_override_locked", outcome: "matched", message: "tenant 'acme' is locked to variant 'on'" }]],
    ["an expired locked override", flag({ key: "t", state: { tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: true, expiresAt: past }] } }), { tenantKey: "acme" }, [{ step: "tenant_override_locked", outcome: "skipped", message: `the locked override for tenant 'acme' is ignored: it expired at ${past}` }]],
    ["an expired locked override at the unlocked step", flag({ key: "t", state: { tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: true, expiresAt: past }] } }), { tenantKey: "acme" }, [{ step: "tenant_override", outcome: "skipped", message: "no unlocked override for tenant 'acme'" }]],
    ["an expired unlocked override", flag({ key: "t", state: { tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: false, expiresAt: past }] } }), { tenantKey: "acme" }, [{ step: "tenant_override", outcome: "skipped", message: `the unlocked override for tenant 'acme' is ignored: it expired at ${past}` }]],
    ["the allow list", flag({ key: "t", state: { tenantAllow: ["acme"] } }), { tenantKey: "acme" }, [{ step: "tenant_allow", outcome: "matched", message: "tenant 'acme' is on the allow list" }]],
    ["an unlocked override", flag({ key: "t", state: { tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: false }] } }), { tenantKey: "acme" }, [{ step: "tenant_override", outcome: "matched", message: "tenant 'acme' is overridden to variant 'on'" }]],
    ["a rule serving a variant", flag({ key: "t", state: { rules: [rule("r", [])] } }), {}, [{ step: "rule:r", outcome: "matched", message: "the rule has no conditions; serves variant 'on'" }]],
    ["a rule serving a split", flag({ key: "t", state: { rules: [rule("r", [when("a", "exists"), when("b", "exists")], rollout(100))] } }), { targetingKey: "u", a: 1, b: 2 }, [{ step: "rule:r", outcome: "matched", message: expect.stringMatching(/^all 2 conditions hold; bucket \d+ of the split serves variant 'on'$/) as string }]],
    ["a rule without id", flag({ key: "t", state: { rules: [{ conditions: [], serve: { variant: "on" } } as never] } }), {}, [{ step: "rule:#1", outcome: "skipped", message: "the rule never matches: the rule has no id" }]],
    ["a rule with an unusable serve", flag({ key: "t", state: { rules: [{ id: "r", conditions: [], serve: {} } as never] } }), {}, [{ step: "rule:r", outcome: "error", message: "the rule's serve is unusable: not a variant or a split" }]],
    ["a refused condition", flag({ key: "t", state: { rules: [rule("r", [when("a", "matches", ["(?=a)a"])])] } }), { a: "a" }, [{ step: "rule:r", outcome: "skipped", message: 'condition 1 of 1 (a matches ["(?=a)a"]) never matches: regex refused: the pattern uses syntax that needs backtracking (lookarounds, backreferences) or that RE2 does not support' }]],
    ["a negated condition", flag({ key: "t", state: { rules: [rule("r", [when("a", "exists", [], true)])] } }), { a: 1 }, [{ step: "rule:r", outcome: "skipped", message: "condition 1 of 1 (not a exists) does not hold" }]],
    ["a missing tenant attribute", flag({ key: "t", state: { rules: [rule("r", [when("tenant.tier", "gt", [1])])] } }), { tenantKey: "acme" }, [{ step: "rule:r", outcome: "skipped", message: "condition 1 of 1 (tenant.tier gt [1]) does not hold: tenant attribute 'tier' is missing" }]],
    ["an over-long regex input", flag({ key: "t", state: { rules: [rule("r", [when("a", "matches", ["b"])])] } }), { a: "a".repeat(1025) }, [{ step: "rule:r", outcome: "skipped", message: "condition 1 of 1 (a matches [\"b\"]) does not hold: attribute 'a' is longer than 1024 characters" }]],
    ["an unusable value", flag({ key: "t", state: { rules: [rule("r", [when("a", "gt", [1])])] } }), { a: "many" }, [{ step: "rule:r", outcome: "skipped", message: "condition 1 of 1 (a gt [1]) does not hold: attribute 'a' (\"many\") cannot be compared with 'gt'" }]],
    ["a missing variant", flag({ key: "t", state: { fallthrough: { variant: "ghost" } } }), {}, [{ step: "variant", outcome: "error", message: "variant 'ghost' does not exist" }]],
    ["a mistyped variant", flag({ key: "t", variants: [{ key: "on", value: 1 }, { key: "off", value: false }], state: { fallthrough: { variant: "on" } } }), {}, [{ step: "variant", outcome: "error", message: "variant 'on' holds 1, not a boolean" }]],
    ["a malformed flag", { ...flag({ key: "t" }), salt: null as never }, {}, [{ step: "flag", outcome: "error", message: "the stored flag is malformed: salt is not a string" }]],
  ])("record %s", (_name, stored, context, expected) => {
    const local = compile(snapshot({ flags: [stored, flag({ key: "off-flag" })], tenants: [tenant("acme", {})] }));
    const steps = evaluate(local, "t", context, { now: NOW, trace: true }).trace as TraceStep[];
    expect(steps).toEqual(expect.arrayContaining(expected));
  });

  it("are absent unless asked for", () => {
    expect(evaluate(compiled, "checkout", { targetingKey: "u" })).not.toHaveProperty("trace");
  });
});
