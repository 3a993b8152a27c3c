import type { SnapshotFlag } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { NOW, flag, rule, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate, flagKeys, impact, tenantContexts, withFlag, withFlags } from "./index";

const tenants = [tenant("t1", { plan: "pro" }), tenant("t2", { plan: "pro" }), tenant("t3", { plan: "free" }), tenant("t4", { plan: "free" })];
const current = flag({ key: "reports", state: { tenantAllow: ["t1"], fallthrough: { variant: "off" } } });
const compiled = compile(snapshot({ flags: [current, flag({ key: "child", dependsOn: ["reports"], state: { fallthrough: { variant: "on" } } })], tenants }));

describe("impact", () => {
  it("reports which tenants a proposed flag would turn on and off", () => {
    const proposed: SnapshotFlag = { ...current, state: { ...current.state, tenantAllow: [], rules: [rule("pro", [when("tenant.plan", "equals", ["pro"])])] } };
    const report = impact(compiled, proposed, tenantContexts(compiled), { now: NOW });
    expect(report).toMatchObject({ flagKey: "reports", turnedOn: 1, turnedOff: 0, changed: 1, total: 4 });
    expect(report.changes).toEqual([
      {
        context: { targetingKey: "t2", tenantKey: "t2" },
        before: { value: false, variant: "off", reason: "DEFAULT", detail: "FALLTHROUGH" },
        after: { value: true, variant: "on", reason: "TARGETING_MATCH", detail: "RULE:pro" },
      },
    ]);
  });

  it("counts contexts turned off, and leaves the compiled snapshot as it was", () => {
    const proposed: SnapshotFlag = { ...current, state: { ...current.state, enabled: false } };
    expect(impact(compiled, proposed, tenantContexts(compiled))).toMatchObject({ turnedOn: 0, turnedOff: 1, changed: 1, total: 4 });
    expect(evaluate(compiled, "reports", { tenantKey: "t1" }).value).toBe(true);
  });

  it("treats a flag that does not exist yet as an error before", () => {
    const report = impact(compiled, flag({ key: "brand-new", state: { fallthrough: { variant: "on" } } }), [{}, { targetingKey: "x" }]);
    expect(report).toMatchObject({ turnedOn: 2, changed: 2, total: 2 });
    expect(report.changes[0]?.before).toEqual({ value: null, reason: "ERROR", detail: "FLAG_NOT_FOUND" });
  });

  it("counts contexts that would start answering ERROR as changed", () => {
    const proposed = { ...current, variants: [{ key: "on", value: true }] } as SnapshotFlag;
    const report = impact(compiled, proposed, tenantContexts(compiled));
    expect(report).toMatchObject({ changed: 3, turnedOff: 0, turnedOn: 0 });
    expect(report.changes[0]?.after).toMatchObject({ value: null, reason: "ERROR", detail: "GENERAL" });
  });

  it("is empty for no contexts, for a list that is not one, and for hostile input", () => {
    expect(impact(compiled, current, [])).toMatchObject({ changed: 0, total: 0, changes: [] });
    expect(impact(compiled, current, "x" as never)).toMatchObject({ total: 0 });
    const hostile = { get key(): never { throw new Error("no"); } } as never;
    expect(impact(compiled, hostile, [{}])).toMatchObject({ flagKey: "", total: 0 });
    expect(impact(compiled, null as never, [{}])).toMatchObject({ flagKey: "", total: 1, changed: 0 });
  });
});

describe("withFlag", () => {
  it("replaces one flag and lets its dependants see the new version", () => {
    const next = withFlag(compiled, { ...current, state: { ...current.state, enabled: false } });
    expect(evaluate(next, "child", { tenantKey: "t1" })).toMatchObject({ value: false, detail: "PREREQUISITE_FAILED:reports" });
    expect(evaluate(compiled, "child", { tenantKey: "t1" })).toMatchObject({ value: true });
    expect(next.tenants).toBe(compiled.tenants);
    expect(flagKeys(next)).toEqual(["reports", "child"]);
  });

  it("appends a new flag and replaces the issues of the one it replaces", () => {
    const broken = compile(snapshot({ flags: [{ ...current, salt: 1 as never }] }));
    expect(broken.issues).toHaveLength(1);
    const fixed = withFlag(broken, current);
    expect(fixed.issues).toEqual([]);
    expect(flagKeys(withFlag(fixed, flag({ key: "extra" })))).toEqual(["reports", "extra"]);
  });

  it("returns the same snapshot for a flag without a key or a failed snapshot", () => {
    expect(withFlag(compiled, { ...current, key: "" })).toBe(compiled);
    const failed = compile(null as never);
    expect(withFlag(failed, current)).toBe(failed);
  });
});

describe("withFlags", () => {
  it("replaces and appends several flags in one copy, the last of a key winning, keys kept in order", () => {
    const off = { ...current, state: { ...current.state, enabled: false } };
    const next = withFlags(compiled, [flag({ key: "extra" }), current, { ...current, key: "" }, off, flag({ key: "more" })]);
    expect(flagKeys(next)).toEqual(["reports", "child", "extra", "more"]);
    expect(evaluate(next, "reports", { tenantKey: "t1" })).toMatchObject({ value: false, reason: "DISABLED" });
    expect(evaluate(next, "child", { tenantKey: "t1" })).toMatchObject({ value: false, detail: "PREREQUISITE_FAILED:reports" });
    expect(next.flags.get("child")).toBe(compiled.flags.get("child"));
    expect(withFlags(compiled, [])).toBe(compiled);
  });
});
