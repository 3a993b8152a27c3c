import type { EnvironmentSnapshot, SnapshotFlag } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { NOW, flag, rule, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate, evaluateAll, impact, tenantContexts } from "./index";

const flags: SnapshotFlag[] = [
  flag({ key: "static-on", state: { fallthrough: { variant: "on" } } }),
  flag({ key: "killed", state: { enabled: false, fallthrough: { variant: "on" } } }),
  flag({
    key: "targeted",
    state: {
      userOverrides: [{ userKey: "u1", variant: "on" }],
      tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: true }],
      tenantAllow: ["globex"],
      rules: [rule("pro", [when("plan", "equals", ["pro"])])],
    },
  }),
  flag({ key: "moduled", module: "FIN", state: { fallthrough: { variant: "on" } } }),
  flag({ key: "child", dependsOn: ["static-on"], state: { fallthrough: { variant: "on" } } }),
  flag({
    key: "colour",
    type: "string",
    variants: [
      { key: "blue", value: "blue" },
      { key: "grey", value: "grey" },
    ],
    offVariant: "grey",
    onVariant: "blue",
    state: { fallthrough: { variant: "blue" } },
  }),
  flag({ key: "gone", archived: true, state: { fallthrough: { variant: "on" } } }),
];
const world = (masterSwitch?: boolean): EnvironmentSnapshot =>
  snapshot({ flags, tenants: [tenant("acme"), tenant("globex"), tenant("closed", {}, ["FIN"])], ...(masterSwitch === undefined ? {} : { masterSwitch }) });
const on = compile(world(true));
const off = compile(world(false));
const contexts = [{}, { targetingKey: "u1" }, { tenantKey: "acme" }, { tenantKey: "globex" }, { tenantKey: "closed" }, { targetingKey: "x", plan: "pro" }];

describe("the environment master switch", () => {
  it("is off when the snapshot does not mention it, and read only as a literal true", () => {
    expect(compile(world()).isMasterSwitchOn).toBe(false);
    expect(off.isMasterSwitchOn).toBe(false);
    expect(on.isMasterSwitchOn).toBe(true);
    expect(compile({ ...world(), masterSwitch: "yes" } as unknown as EnvironmentSnapshot).isMasterSwitchOn).toBe(false);
    expect(evaluate(compile(world()), "static-on", {}).value).toBe(true);
  });

  it("serves every flag's off variant with DISABLED and MASTER_SWITCH, whatever targets the context", () => {
    for (const context of contexts) {
      for (const key of ["static-on", "killed", "targeted", "moduled", "child"]) {
        expect(evaluate(on, key, context, { now: NOW })).toEqual({ key, value: false, variant: "off", reason: "DISABLED", detail: "MASTER_SWITCH" });
      }
      expect(evaluate(on, "colour", context, { now: NOW })).toMatchObject({ value: "grey", variant: "grey", reason: "DISABLED", detail: "MASTER_SWITCH" });
    }
  });

  it("overrides, allow lists and rules decide again once it is off", () => {
    expect(evaluate(off, "targeted", { targetingKey: "u1" }, { now: NOW })).toMatchObject({ value: true, detail: "USER_OVERRIDE" });
    expect(evaluate(off, "targeted", { tenantKey: "acme" }, { now: NOW })).toMatchObject({ value: true, detail: "TENANT_OVERRIDE_LOCKED" });
    expect(evaluate(off, "targeted", { tenantKey: "globex" }, { now: NOW })).toMatchObject({ value: true, detail: "TENANT_ALLOW" });
    expect(evaluate(off, "targeted", { plan: "pro" }, { now: NOW })).toMatchObject({ value: true, detail: "RULE:pro" });
  });

  it("still answers FLAG_NOT_FOUND and TYPE_MISMATCH first, with the caller's default", () => {
    expect(evaluate(on, "gone", {}, { defaultValue: true })).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(evaluate(on, "nope", {}, { defaultValue: true })).toMatchObject({ value: true, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
    expect(evaluate(on, "colour", {}, { defaultValue: true, expectedType: "boolean" })).toMatchObject({ value: true, errorCode: "TYPE_MISMATCH" });
  });

  it("answers every flag of evaluateAll with its off variant", () => {
    const results = evaluateAll(on, { targetingKey: "u1", tenantKey: "acme", plan: "pro" }, { now: NOW });
    expect(results.map((r) => [r.key, r.value, r.reason, r.detail])).toEqual([
      ["static-on", false, "DISABLED", "MASTER_SWITCH"],
      ["killed", false, "DISABLED", "MASTER_SWITCH"],
      ["targeted", false, "DISABLED", "MASTER_SWITCH"],
      ["moduled", false, "DISABLED", "MASTER_SWITCH"],
      ["child", false, "DISABLED", "MASTER_SWITCH"],
      ["colour", "grey", "DISABLED", "MASTER_SWITCH"],
    ]);
  });

  it("is the one step of a trace, named and explained", () => {
    const result = evaluate(on, "targeted", { targetingKey: "u1" }, { now: NOW, trace: true });
    expect(result.trace).toEqual([
      { step: "flag", outcome: "passed", message: "boolean flag, state version 1" },
      { step: "master_switch", outcome: "failed", message: "the environment master switch is on: every flag serves its off variant" },
    ]);
    expect(evaluate(off, "targeted", { targetingKey: "u1" }, { now: NOW, trace: true }).trace?.some((s) => s.step === "master_switch")).toBe(false);
  });

  it("answers the same through generated matchers and the interpreter", () => {
    const interpreted = compile(world(true), { generateCode: false });
    for (const context of contexts) expect(evaluateAll(interpreted, context, { now: NOW })).toEqual(evaluateAll(on, context, { now: NOW }));
  });

  it("leaves blast radius to measure what a change does once the switch is lifted", () => {
    const current = flags[2] as SnapshotFlag;
    const proposed: SnapshotFlag = { ...current, state: { ...current.state, tenantAllow: ["globex", "closed"] } };
    const whileOn = impact(on, proposed, tenantContexts(on), { now: NOW });
    expect(whileOn).toEqual(impact(off, proposed, tenantContexts(off), { now: NOW }));
    expect(whileOn).toMatchObject({ turnedOn: 1, changed: 1, total: 3 });
    expect(evaluate(on, "targeted", { tenantKey: "globex" }).detail).toBe("MASTER_SWITCH");
  });
});
