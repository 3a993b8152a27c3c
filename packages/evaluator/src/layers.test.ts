import type { TraceStep } from "@ensign/contracts/evaluation";
import { describe, expect, it } from "vitest";
import { DAY, NOW, flag, snapshot, tenant } from "../test/builders";
import { compile, evaluate, evaluateAll, impact, layerContexts, tenantContexts } from "./index";

const platform = { key: "platform", attribute: "platform", values: ["meta", "tiktok"] };
const past = new Date(NOW - DAY).toISOString();

const campaigns = flag({
  key: "campaigns",
  state: {
    fallthrough: { variant: "on" },
    tenantOverrides: [{ tenantKey: "org-a", variant: "off", locked: false }],
    userOverrides: [{ userKey: "u1", variant: "off" }],
    layerOverrides: [
      { layer: "platform", value: "tiktok", variant: "on", locked: false },
      { layer: "platform", value: "meta", variant: "off", locked: false, expiresAt: past },
    ],
  },
});

const stored = snapshot({ layers: [platform], flags: [campaigns], tenants: [tenant("org-a"), tenant("org-b")] });
const compiled = compile(stored);
const trace = (context: unknown) => evaluate(compiled, "campaigns", context, { now: NOW, trace: true }).trace as TraceStep[];

describe("override layers", () => {
  it("compile into the default order: user, layers, tenant, rules", () => {
    expect(compiled.issues).toEqual([]);
    expect(compiled.precedence?.map((step) => (step.kind === "layer" ? step.key : step.kind))).toEqual(["user", "platform", "tenant", "rules"]);
  });

  it("leave a snapshot without layers on the built-in order", () => {
    expect(compile(snapshot({ flags: [campaigns] })).precedence).toBeNull();
    expect(compile(snapshot({ precedence: ["user", "tenant", "rules"] })).precedence).toBeNull();
  });

  it("repair a stored order that misses or repeats steps, and say so", () => {
    const repaired = compile(snapshot({ layers: [platform], precedence: ["tenant", "tenant", "nope", "user"] }));
    expect(repaired.precedence?.map((step) => (step.kind === "layer" ? step.key : step.kind))).toEqual(["platform", "tenant", "user", "rules"]);
    expect(repaired.issues.map((issue) => issue.path)).toEqual(["precedence[1]", "precedence[2]", "precedence", "precedence"]);
  });

  it("drop a layer named like a built-in step", () => {
    const named = compile(snapshot({ layers: [{ key: "tenant", attribute: "org", values: [] }] }));
    expect(named.layers).toEqual([]);
    expect(named.issues[0]?.message).toContain("repeats a name");
  });

  it("trace the layer's step between the user and the tenant", () => {
    expect(trace({ targetingKey: "x", tenantKey: "org-a", platform: "tiktok" }).slice(3)).toEqual([
      { step: "user_override", outcome: "skipped", message: "no override for user 'x'" },
      { step: "layer:platform", outcome: "matched", message: "platform 'tiktok' is overridden to variant 'on'" },
    ]);
    expect(trace({ tenantKey: "org-a", platform: "meta" }).find((s) => s.step === "layer:platform")).toEqual({
      step: "layer:platform",
      outcome: "skipped",
      message: `the override for platform 'meta' is ignored: it expired at ${past}`,
    });
    expect(trace({ tenantKey: "org-a" }).find((s) => s.step === "layer:platform")?.message).toBe("no 'platform' in the context");
  });

  it("answer the same in bulk as one by one", () => {
    const context = { targetingKey: "x", tenantKey: "org-a", platform: "tiktok" };
    expect(evaluateAll(compiled, context, { now: NOW })).toEqual([evaluate(compiled, "campaigns", context, { now: NOW })]);
  });

  it("measure a proposed layer override over every tenant and known value", () => {
    const contexts = [...tenantContexts(compiled), ...layerContexts(compiled)];
    expect(contexts).toHaveLength(2 + 2 * 2);
    const proposed = { ...campaigns, state: { ...campaigns.state, layerOverrides: [{ layer: "platform", value: "meta", variant: "off", locked: true }] } };
    const report = impact(compiled, proposed, contexts, { now: NOW });
    // org-a on tiktok loses its platform override (on → the org's off); org-b on meta gains a locked off.
    expect(report.changes.map((change) => change.context)).toEqual([
      { targetingKey: "org-a", tenantKey: "org-a", platform: "tiktok" },
      { targetingKey: "org-b", tenantKey: "org-b", platform: "meta" },
    ]);
    expect(report.turnedOff).toBe(2);
  });

  it("write nested attributes nested in the blast radius contexts", () => {
    const nested = compile(snapshot({ layers: [{ key: "region", attribute: "geo.region", values: ["eu"] }], tenants: [tenant("t")] }));
    expect(layerContexts(nested)).toEqual([{ targetingKey: "t", tenantKey: "t", geo: { region: "eu" } }]);
  });
});
