import { describe, expect, it } from "vitest";
import { onPercentage, rolloutOf, statusOf, type StateFacts } from "./state-summary";

const flag = { offVariant: "off", onVariant: "on" };
const base: StateFacts = { enabled: true, fallthrough: { variant: "on" }, tenantAllow: [], tenantDeny: [], ruleCount: 0, overrideCount: 0, userOverrideCount: 0 };
const split = (on: number) => ({ split: { allocations: [{ variant: "on", weight: on }, { variant: "off", weight: 100_000 - on }] } });

describe("statusOf", () => {
  it.each([
    ["disabled", { enabled: false }, "off"],
    ["disabled even with rules", { enabled: false, ruleCount: 3 }, "off"],
    ["enabled serving off to everyone", { fallthrough: { variant: "off" } }, "off"],
    ["enabled serving on to everyone", {}, "on"],
    ["enabled serving another variant to everyone", { fallthrough: { variant: "blue" } }, "on"],
    ["a split", { fallthrough: split(30_000) }, "partial"],
    ["rules", { ruleCount: 1 }, "partial"],
    ["an allow list", { fallthrough: { variant: "off" }, tenantAllow: ["acme"] }, "partial"],
    ["a deny list", { tenantDeny: ["acme"] }, "partial"],
    ["tenant overrides", { fallthrough: { variant: "off" }, overrideCount: 2 }, "partial"],
    ["user overrides", { userOverrideCount: 1 }, "partial"],
  ] as const)("%s is %s", (_name, facts, status) => {
    expect(statusOf({ ...base, ...facts }, flag)).toBe(status);
  });
});

describe("rolloutOf", () => {
  it("summarises the way the flags table shows it", () => {
    expect(rolloutOf({ ...base, enabled: false }, flag)).toEqual({ summary: "off", percentage: 0 });
    expect(rolloutOf(base, flag)).toEqual({ summary: "on", percentage: 100 });
    expect(rolloutOf({ ...base, fallthrough: split(30_000) }, flag)).toEqual({ summary: "30% on", percentage: 30 });
    expect(rolloutOf({ ...base, fallthrough: split(12_345) }, flag).summary).toBe("12.345% on");
    expect(rolloutOf({ ...base, ruleCount: 3, fallthrough: { variant: "off" } }, flag).summary).toBe("3 rules, else off");
    expect(rolloutOf({ ...base, ruleCount: 1, tenantDeny: ["a", "b"] }, flag).summary).toBe("1 rule, else on, 2 tenants denied");
  });

  it("describes multi-variant splits by variant", () => {
    const fallthrough = { split: { allocations: [{ variant: "control", weight: 50_000 }, { variant: "treatment", weight: 50_000 }] } };
    expect(rolloutOf({ ...base, fallthrough }, { offVariant: "control", onVariant: "treatment" }).summary).toBe("50% treatment");
    expect(rolloutOf({ ...base, fallthrough }, { offVariant: "x", onVariant: "y" })).toEqual({ summary: "50% control / 50% treatment", percentage: null });
    expect(onPercentage({ variant: "blue" }, flag)).toBeNull();
  });
});
