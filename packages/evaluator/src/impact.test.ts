import type { SnapshotFlag } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { NOW, flag, rule, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate, flagKeys, impact, tenantContexts, withFlag, withFlags, withTenants } from "./index";

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

describe("withTenants", () => {
  const ladder = [
    { key: "employee", inherits: [] },
    { key: "manager", inherits: ["employee"] },
    { key: "admin", inherits: ["manager"] },
  ];
  const flags = [
    flag({ key: "pro_only", state: { rules: [rule("pro", [when("tenant.plan", "equals", ["pro"])])], fallthrough: { variant: "off" } } }),
    flag({ key: "interns", state: { rules: [rule("r", [when("role", "role_at_least", ["intern"])])], fallthrough: { variant: "off" } } }),
  ];
  const before = compile({ ...snapshot({ flags, tenants }), roles: ladder });

  it("replaces and adds tenants, their own roles placed in the workspace's, as a whole compile would", () => {
    const changed = [tenant("t3", { plan: "pro" }), { ...tenant("t0", {}, ["FIN"]), roles: [{ key: "intern", inherits: [], inheritedBy: ["employee"] }] }];
    const order = ["t0", "t1", "t2", "t3", "t4"];
    const next = withTenants(before, changed, ladder, { tenantOrder: order });
    const byKey = new Map([...tenants, ...changed].map((t) => [t.key, t]));
    const whole = compile({ ...snapshot({ flags, tenants: order.map((key) => byKey.get(key)!) }), roles: ladder });
    expect([...next.tenants.keys()]).toEqual(order);
    expect(next.tenants).toEqual(whole.tenants);
    expect(next.tenants.get("t1")).toBe(before.tenants.get("t1"));
    expect(next.flags).toBe(before.flags);
    expect(evaluate(next, "pro_only", { tenantKey: "t3" }).value).toBe(true);
    expect(evaluate(next, "interns", { tenantKey: "t0", role: "manager" }).value).toBe(true);
    expect(evaluate(next, "interns", { tenantKey: "t1", role: "manager" }).value).toBe(false);
    // The snapshot it was made from answers as before.
    expect(evaluate(before, "pro_only", { tenantKey: "t3" }).value).toBe(false);
    expect(before.tenants.has("t0")).toBe(false);
  });

  it("puts added tenants last without an order, skips tenants without a key, and reports what it could not use", () => {
    const next = withTenants(before, [{ key: "" } as never, { ...tenant("t9"), roles: [{ nope: true }] as never }], ladder);
    expect([...next.tenants.keys()]).toEqual(["t1", "t2", "t3", "t4", "t9"]);
    expect(next.issues).toEqual([{ path: "tenants[1].roles[0]", message: "the role has no key; dropped" }]);
    expect(withTenants({ ...before, failure: "broken" }, [tenant("t9")], ladder).tenants).toBe(before.tenants);
  });
});

describe("withFlags over many versions", () => {
  const many = compile(snapshot({ flags: Array.from({ length: 400 }, (_, i) => flag({ key: `f${i}`, state: { fallthrough: { variant: "on" } } })) }));
  const toggled = (i: number, enabled: boolean) => flag({ key: `f${i}`, state: { enabled, fallthrough: { variant: "on" } } });

  it("answers as a snapshot compiled whole, after as many replacements as fold the index several times", () => {
    let next = many;
    const expected = new Map<number, boolean>();
    for (let round = 0; round < 300; round++) {
      const i = (round * 37) % 400;
      const enabled = round % 3 !== 0;
      next = withFlags(next, [toggled(i, enabled)]);
      expected.set(i, enabled);
    }
    const whole = compile(snapshot({ flags: Array.from({ length: 400 }, (_, i) => toggled(i, expected.get(i) ?? true)) }));
    expect(flagKeys(next)).toEqual(flagKeys(whole));
    expect([...next.flags.keys()]).toEqual([...whole.flags.keys()]);
    expect(next.flags.size).toBe(400);
    expect(next.activeFlags.map((f) => f.key)).toEqual(whole.activeFlags.map((f) => f.key));
    for (let i = 0; i < 400; i++) expect(evaluate(next, `f${i}`, {}).value, `f${i}`).toBe(evaluate(whole, `f${i}`, {}).value);
    // Every version made on the way still answers as it did: nothing is shared that changed.
    expect(evaluate(many, "f0", {}).value).toBe(true);
  });

  it("keeps an added flag after the rest and drops an archived one from bulk evaluation, then restores it in place", () => {
    const added = withFlags(many, [flag({ key: "late" })]);
    expect([...added.flags.keys()].at(-1)).toBe("late");
    expect(added.flags.size).toBe(401);
    expect(added.flags.has("late") && !many.flags.has("late")).toBe(true);
    const archived = withFlags(added, [flag({ key: "f5", archived: true })]);
    expect(archived.activeFlags.map((f) => f.key)).not.toContain("f5");
    expect(archived.activeFlags).toHaveLength(400);
    const placed = withFlags(many, [flag({ key: "f0a" })], { flagOrder: ["f0", "f0a", ...many.flagOrder.slice(1)] });
    expect(flagKeys(placed).slice(0, 3)).toEqual(["f0", "f0a", "f1"]);
    // An order that does not list exactly the flags is not taken: the added flag goes last.
    expect(flagKeys(withFlags(many, [flag({ key: "f0a" })], { flagOrder: ["f0a", "f0"] })).at(-1)).toBe("f0a");
    const restored = withFlags(archived, [flag({ key: "f5" })]);
    expect(restored.activeFlags.map((f) => f.key).indexOf("f5")).toBe(5);
    expect([...restored.flags.values()].map((f) => f.key)).toEqual([...added.flags.keys()]);
  });
});
