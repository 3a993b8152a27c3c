import type { SnapshotFlag } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { flag, rule, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate, evaluateAll } from "./index";

const flags: SnapshotFlag[] = [
  flag({ key: "static-on", state: { fallthrough: { variant: "on" } } }),
  flag({ key: "killed", state: { enabled: false, fallthrough: { variant: "on" } } }),
  flag({ key: "split", state: { fallthrough: { split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } } } }),
  flag({ key: "ruled", state: { rules: [rule("pro", [when("plan", "equals", ["pro"])])] } }),
  flag({ key: "allowed", state: { tenantAllow: ["acme"], fallthrough: { variant: "off" } } }),
  flag({ key: "user-overridden", state: { userOverrides: [{ userKey: "u1", variant: "off" }], fallthrough: { variant: "on" } } }),
  flag({ key: "moduled", module: "FIN", state: { fallthrough: { variant: "on" } } }),
  flag({ key: "child", dependsOn: ["ruled"], state: { fallthrough: { variant: "on" } } }),
  flag({ key: "missing-variant", state: { fallthrough: { variant: "nowhere" } } }),
];
const world = (list = flags, masterSwitch = false) => compile(snapshot({ flags: list, tenants: [tenant("acme"), tenant("closed", {}, ["FIN"])], masterSwitch }));
const contexts = [{}, { targetingKey: "u1" }, { targetingKey: "u2", plan: "pro" }, { tenantKey: "acme" }, { tenantKey: "closed", targetingKey: "u3" }];
const withoutTrace = ({ trace: _trace, ...result }: { trace?: unknown }) => result;

describe("flags no context can change", () => {
  it("are worked out at compile time only when no module, prerequisite, override, list, rule or split is involved", () => {
    const compiled = world();
    const constant = [...compiled.activeFlags].filter((f) => f.constant !== null).map((f) => f.key);
    expect(constant).toEqual(["static-on", "killed"]);
    expect(compiled.flags.get("static-on")!.constant).toEqual({ key: "static-on", value: true, variant: "on", reason: "STATIC", detail: "FALLTHROUGH" });
    expect(compiled.flags.get("killed")!.constant).toEqual({ key: "killed", value: false, variant: "off", reason: "DISABLED", detail: "FLAG_DISABLED" });
  });

  it("answer exactly what deciding each flag for the context answers, in bulk and singly", () => {
    const compiled = world();
    for (const context of contexts) {
      const bulk = evaluateAll(compiled, context);
      const traced = evaluateAll(compiled, context, { trace: true });
      expect(bulk).toEqual(traced.map(withoutTrace));
      for (const result of bulk) {
        expect(evaluate(compiled, result.key, context)).toEqual(result);
        expect(withoutTrace(evaluate(compiled, result.key, context, { trace: true }))).toEqual(result);
      }
    }
  });

  it("give way to the master switch", () => {
    const compiled = world(flags, true);
    for (const result of evaluateAll(compiled, { targetingKey: "u1" }).filter((r) => r.reason !== "ERROR")) {
      expect(result).toMatchObject({ reason: "DISABLED", detail: "MASTER_SWITCH", variant: "off" });
    }
    expect(evaluate(compiled, "static-on", {})).toMatchObject({ value: false, reason: "DISABLED", detail: "MASTER_SWITCH" });
  });

  it("change their answer with the snapshot", () => {
    const before = world();
    const switched = flags.map((f) => (f.key === "static-on" ? { ...f, state: { ...f.state, enabled: false } } : f.key === "killed" ? { ...f, state: { ...f.state, enabled: true } } : f));
    const after = world(switched);
    const answer = (compiled: typeof before, key: string) => evaluateAll(compiled, {}).find((r) => r.key === key);
    expect(answer(before, "static-on")).toMatchObject({ value: true, reason: "STATIC" });
    expect(answer(after, "static-on")).toMatchObject({ value: false, reason: "DISABLED", detail: "FLAG_DISABLED" });
    expect(answer(before, "killed")).toMatchObject({ value: false, reason: "DISABLED" });
    expect(answer(after, "killed")).toMatchObject({ value: true, reason: "STATIC" });
  });
});

describe("results without a trace", () => {
  it("are one frozen object per answer of a compiled flag, handed out again", () => {
    const compiled = world();
    const first = evaluateAll(compiled, { targetingKey: "u2", plan: "pro", tenantKey: "acme" });
    const second = evaluateAll(compiled, { targetingKey: "u2", plan: "pro", tenantKey: "acme" });
    for (const [i, result] of first.entries()) {
      if (result.reason === "ERROR") continue;
      expect(Object.isFrozen(result)).toBe(true);
      expect(second[i]).toBe(result);
    }
    expect(evaluate(compiled, "ruled", { plan: "pro" })).toBe(first.find((r) => r.key === "ruled"));
  });

  it("are fresh objects when traced, so a trace never leaks into another evaluation", () => {
    const compiled = world();
    const traced = evaluate(compiled, "ruled", { plan: "pro" }, { trace: true });
    expect(traced.trace?.length).toBeGreaterThan(0);
    expect(evaluate(compiled, "ruled", { plan: "pro" }).trace).toBeUndefined();
  });

  it("are not shared between compiles of the same snapshot", () => {
    const a = evaluateAll(world(), {});
    const b = evaluateAll(world(), {});
    expect(b).toEqual(a);
    expect(b[0]).not.toBe(a[0]);
  });
});
