import type { SnapshotFlag, SnapshotIdentity } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { DAY, NOW, flag, rule, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate, evaluateAll } from "./index";

/**
 * The seed requests that concern evaluation: the finance/STR tenant app's modules and feature
 * toggles (seed 003) and the progressive-enablement plan (seed 001).
 */
describe("seed 003: modules and feature toggles per tenant", () => {
  const tenants = [tenant("tenant-a", { tier: "basic" }), tenant("tenant-b", { tier: "premium" }, ["FIN"]), tenant("tenant-c", { tier: "premium" })];
  const feature = (key: string, module: string, state: Partial<SnapshotFlag["state"]> = {}, dependsOn: string[] = []) =>
    flag({ key, module, dependsOn, state: { fallthrough: { variant: "on" }, ...state } });

  it("a module switched off disables every feature of that module for that tenant only", () => {
    const compiled = compile(
      snapshot({
        tenants,
        flags: [
          feature("fin_ai_extraction", "FIN"),
          feature("fin_duplicate_detection", "FIN", { tenantOverrides: [{ tenantKey: "tenant-b", variant: "on", locked: true }] }),
          feature("str_pricing_optimizer", "STR"),
        ],
      }),
    );
    const forB = Object.fromEntries(evaluateAll(compiled, { targetingKey: "u", tenantKey: "tenant-b" }).map((r) => [r.key, [r.value, r.detail]]));
    expect(forB).toEqual({
      fin_ai_extraction: [false, "MODULE_DISABLED"],
      fin_duplicate_detection: [false, "MODULE_DISABLED"],
      str_pricing_optimizer: [true, "FALLTHROUGH"],
    });
    expect(evaluate(compiled, "fin_ai_extraction", { tenantKey: "tenant-a" }).value).toBe(true);
  });

  it("scenario 4: a tenant admin's enable cannot turn on a feature of a disabled module", () => {
    const compiled = compile(
      snapshot({
        tenants,
        flags: [feature("fin_ai_extraction", "FIN", { fallthrough: { variant: "off" }, tenantAllow: ["tenant-b"], tenantOverrides: [{ tenantKey: "tenant-b", variant: "on", locked: false }] })],
      }),
    );
    expect(evaluate(compiled, "fin_ai_extraction", { tenantKey: "tenant-b" })).toMatchObject({ value: false, reason: "DISABLED", detail: "MODULE_DISABLED" });
  });

  it("scenario 3: a feature whose dependency is disabled stays disabled", () => {
    const stored = (enabled: boolean) =>
      snapshot({
        tenants,
        flags: [
          feature("str_dynamic_pricing", "STR", { fallthrough: { variant: "off" }, tenantOverrides: [{ tenantKey: "tenant-a", variant: "on", locked: false }] }, ["str_pricing_optimizer"]),
          feature("str_pricing_optimizer", "STR", { enabled }),
        ],
      });
    expect(evaluate(compile(stored(false)), "str_dynamic_pricing", { tenantKey: "tenant-a" })).toMatchObject({ value: false, reason: "DISABLED", detail: "PREREQUISITE_FAILED:str_pricing_optimizer" });
    expect(evaluate(compile(stored(true)), "str_dynamic_pricing", { tenantKey: "tenant-a" })).toMatchObject({ value: true, detail: "TENANT_OVERRIDE" });
  });

  it("scenario 5: a workspace admin's global off beats every tenant admin's on", () => {
    const state = { fallthrough: { variant: "off" }, tenantOverrides: tenants.map((t) => ({ tenantKey: t.key, variant: "on", locked: false })) };
    const on = compile(snapshot({ tenants, flags: [feature("str_pricing_optimizer", "STR", state)] }));
    const off = compile(snapshot({ tenants, flags: [feature("str_pricing_optimizer", "STR", { ...state, enabled: false })] }));
    for (const { key } of tenants) {
      expect(evaluate(on, "str_pricing_optimizer", { tenantKey: key })).toMatchObject({ value: true, detail: "TENANT_OVERRIDE" });
      expect(evaluate(off, "str_pricing_optimizer", { tenantKey: key })).toMatchObject({ value: false, reason: "DISABLED", detail: "FLAG_DISABLED" });
    }
  });

  it("a workspace admin's locked override beats the tenant allow list a tenant admin relies on", () => {
    const compiled = compile(
      snapshot({ tenants, flags: [feature("str_pricing_optimizer", "STR", { tenantAllow: ["tenant-c"], tenantOverrides: [{ tenantKey: "tenant-c", variant: "off", locked: true }] })] }),
    );
    expect(evaluate(compiled, "str_pricing_optimizer", { tenantKey: "tenant-c" })).toMatchObject({ value: false, detail: "TENANT_OVERRIDE_LOCKED" });
  });

  it("beta tenants, a premium tier, and one tenant held back while a bug is fixed", () => {
    const compiled = compile(
      snapshot({
        tenants,
        flags: [
          feature("fin_ai_extraction", "FIN", { fallthrough: { variant: "off" }, tenantAllow: ["tenant-a"] }),
          feature("str_pricing_optimizer", "STR", { fallthrough: { variant: "off" }, rules: [rule("premium", [when("tenant.tier", "equals", ["premium"])])] }),
          feature("fin_duplicate_detection", "FIN", { tenantDeny: ["tenant-a"] }),
        ],
      }),
    );
    const value = (key: string, tenantKey: string) => evaluate(compiled, key, { tenantKey }).value;
    expect([value("fin_ai_extraction", "tenant-a"), value("fin_ai_extraction", "tenant-c")]).toEqual([true, false]);
    expect([value("str_pricing_optimizer", "tenant-a"), value("str_pricing_optimizer", "tenant-c")]).toEqual([false, true]);
    expect([value("fin_duplicate_detection", "tenant-a"), value("fin_duplicate_detection", "tenant-c")]).toEqual([false, true]);
  });
});

describe("seed 001: progressive enablement through identity traits", () => {
  const flags = [
    flag({ key: "dashboard", state: { rules: [rule("verified", [when("emailVerified", "equals", [true])])] } }),
    flag({ key: "advanced_analytics", state: { rules: [rule("active", [when("actionsCount", "gte", [10])])] } }),
    // "Unlock after day 7": signed up before the moment seven days ago.
    flag({ key: "reports_tab", state: { rules: [rule("week-old", [when("signupAt", "before", ["now-7d"])])] } }),
    flag({ key: "manager_tools", state: { rules: [rule("managers", [when("role", "in", ["manager", "admin"])])] } }),
    flag({ key: "insights_tab", state: { userOverrides: [{ userKey: "early-bird", variant: "on" }], tenantAllow: ["early-org"] } }),
  ];
  const identity = (key: string, traits: SnapshotIdentity["traits"]): SnapshotIdentity => ({ key, traits });
  const values = (identities: SnapshotIdentity[], context: Record<string, unknown>, now = NOW) =>
    Object.fromEntries(evaluateAll(compile(snapshot({ flags, identities })), context, { now }).map((r) => [r.key, r.value]));

  it("a new user starts with everything locked", () => {
    const fresh = identity("ann", { stage: "signup_complete", emailVerified: false, actionsCount: 0, signupAt: new Date(NOW - DAY).toISOString() });
    expect(values([fresh], { targetingKey: "ann", role: "employee" })).toEqual({
      dashboard: false,
      advanced_analytics: false,
      reports_tab: false,
      manager_tools: false,
      insights_tab: false,
    });
  });

  it("unlocks as the stored traits change: email verified, ten actions, a week gone by", () => {
    const later = identity("ann", { emailVerified: true, actionsCount: 12, signupAt: new Date(NOW - 8 * DAY).toISOString() });
    expect(values([later], { targetingKey: "ann" })).toMatchObject({ dashboard: true, advanced_analytics: true, reports_tab: true });
    const ninthAction = identity("ann", { emailVerified: true, actionsCount: 9, signupAt: NOW - 3 * DAY });
    expect(values([ninthAction], { targetingKey: "ann" })).toMatchObject({ dashboard: true, advanced_analytics: false, reports_tab: false });
  });

  it("unlocks the week-old feature with the passage of time alone", () => {
    const signup = identity("bob", { signupAt: new Date(NOW).toISOString() });
    expect(values([signup], { targetingKey: "bob" }, NOW + 6 * DAY).reports_tab).toBe(false);
    expect(values([signup], { targetingKey: "bob" }, NOW + 8 * DAY).reports_tab).toBe(true);
  });

  it("a role upgrade unlocks manager tools; the request's role wins over a stored one", () => {
    expect(values([identity("cy", { role: "employee" })], { targetingKey: "cy" }).manager_tools).toBe(false);
    expect(values([identity("cy", { role: "employee" })], { targetingKey: "cy", role: "manager" }).manager_tools).toBe(true);
  });

  it("a user-specific toggle and an organisation rollout", () => {
    expect(values([], { targetingKey: "early-bird" }).insights_tab).toBe(true);
    expect(values([], { targetingKey: "dee", tenantKey: "early-org" }).insights_tab).toBe(true);
    expect(values([], { targetingKey: "dee", tenantKey: "other-org" }).insights_tab).toBe(false);
  });
});
