import { EvaluationResult } from "@ensign/contracts/evaluation";
import type { EnvironmentSnapshot, SnapshotFlag } from "@ensign/contracts/snapshot";
import { OPERATORS, type Condition, type FlagType, type JsonValue } from "@ensign/contracts/targeting";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NOW, flag, rollout, rule, segment, snapshot, tenant } from "../test/builders";
import { compile, evaluate, evaluateAll } from "./index";

const ATTRIBUTES = ["plan", "age", "email", "version", "signupAt", "address.country", "tenant.plan", "constructor", "targetingKey", "tags"];
const WORDS = ["pro", "free", "a@acme.io", "1.2.3", "2.0.0-beta", "NO", "2024-01-01", "now-7d", "", "12", "ø"];

const scalar = fc.oneof(fc.constantFrom(...WORDS), fc.integer({ min: -5, max: 50 }), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const conditionArb: fc.Arbitrary<Condition> = fc.record(
  {
    attribute: fc.constantFrom(...ATTRIBUTES),
    operator: fc.constantFrom(...OPERATORS),
    values: fc.array(scalar, { maxLength: 3 }),
    negate: fc.boolean(),
  },
  { requiredKeys: ["attribute", "operator", "values"] },
);
const contextArb = fc.record(
  {
    targetingKey: fc.oneof(fc.constantFrom("u1", "u2", "u3"), fc.string({ maxLength: 6 })),
    tenantKey: fc.constantFrom("t1", "t2", "t3"),
    plan: fc.oneof(scalar, fc.constant(null), fc.constant({ nested: 1 })),
    age: fc.oneof(scalar, fc.constant("33")),
    email: scalar,
    version: fc.constantFrom("1.2.3", "v2.0.0", "2.0.0-beta", "x", 3),
    signupAt: fc.oneof(fc.integer({ min: NOW - 30 * 86_400_000, max: NOW }), fc.constantFrom("2024-05-01T00:00:00Z", "bad")),
    address: fc.oneof(fc.record({ country: fc.constantFrom("NO", "SE") }), fc.constant("Oslo")),
    tags: fc.array(fc.constantFrom("a", "b"), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

/** A flag of shape-random rules, for comparing ways of evaluating it. */
const rulesFlagArb = fc.array(fc.array(conditionArb, { maxLength: 4 }), { minLength: 1, maxLength: 5 }).map((rules) =>
  flag({ key: "f", state: { rules: rules.map((conditions, i) => rule(`r${i}`, conditions, i % 2 === 0 ? { variant: "on" } : rollout(40))) } }),
);
const world = (flags: SnapshotFlag[], masterSwitch?: boolean) =>
  snapshot({
    flags,
    ...(masterSwitch === undefined ? {} : { masterSwitch }),
    tenants: [tenant("t1", { plan: "pro" }), tenant("t2", { plan: "free" })],
    identities: [{ key: "u1", traits: { plan: "pro", age: 40 } }],
    segments: [segment("s1", { includedUsers: ["u2"], rules: [{ conditions: [{ attribute: "plan", operator: "in_segment", values: ["s1"] }] }] })],
  });

describe("properties", { timeout: 60_000 }, () => {
  it("generated matchers and the interpreter agree on every rule and context, master switch on or off", () => {
    fc.assert(
      fc.property(rulesFlagArb, fc.array(contextArb, { minLength: 1, maxLength: 5 }), fc.option(fc.boolean(), { nil: undefined }), (stored, contexts, masterSwitch) => {
        const stored2 = world([stored], masterSwitch);
        const generated = compile(stored2);
        const interpreted = compile(stored2, { generateCode: false });
        for (const context of contexts) {
          const fast = evaluate(generated, "f", context, { now: NOW });
          expect(evaluate(interpreted, "f", context, { now: NOW })).toEqual(fast);
          const { trace: _trace, ...traced } = evaluate(generated, "f", context, { now: NOW, trace: true });
          expect(traced).toEqual(fast);
          if (masterSwitch === true) expect(fast).toEqual({ key: "f", value: false, variant: "off", reason: "DISABLED", detail: "MASTER_SWITCH" });
          expect(evaluateAll(interpreted, context, { now: NOW })).toEqual(evaluateAll(generated, context, { now: NOW }));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("is deterministic and sticky across separate compiles", () => {
    fc.assert(
      fc.property(rulesFlagArb, contextArb, (stored, context) => {
        const first = evaluate(compile(world([stored])), "f", context, { now: NOW });
        const again = compile(JSON.parse(JSON.stringify(world([stored]))) as EnvironmentSnapshot);
        expect(evaluate(again, "f", context, { now: NOW })).toEqual(first);
        expect(evaluate(again, "f", context, { now: NOW })).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it("never moves a context out of a rollout when the percentage rises", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 40 }), (a, b, keys) => {
        const [low, high] = a < b ? [a, b] : [b, a];
        const at = (weight: number) => {
          const split = { split: { allocations: [{ variant: "on", weight }, { variant: "off", weight: 100_000 - weight }] } };
          const condition: Condition = { attribute: "targetingKey", operator: "percentage", values: [weight / 1000] };
          return compile(snapshot({ flags: [flag({ key: "s", state: { fallthrough: split } }), flag({ key: "p", state: { rules: [rule("r", [condition])] } })] }));
        };
        const [before, after] = [at(low), at(high)];
        for (const targetingKey of keys) {
          for (const key of ["s", "p"]) {
            if (evaluate(before, key, { targetingKey }).value === true) expect(evaluate(after, key, { targetingKey }).value).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("splits 100,000 random keys within ±0.5 points of every allocation", () => {
    const allocations = [
      { variant: "a", weight: 12_345 },
      { variant: "b", weight: 50_000 },
      { variant: "c", weight: 37_655 },
    ];
    const stored = flag({ key: "exp", type: "string", variants: ["a", "b", "c", "off"].map((key) => ({ key, value: key })), offVariant: "off", onVariant: "a", state: { fallthrough: { split: { allocations } } } });
    const compiled = compile(snapshot({ flags: [stored] }));
    const keys = fc.sample(fc.uuid(), { numRuns: 100_000, seed: 42 });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (const targetingKey of keys) counts[evaluate(compiled, "exp", { targetingKey }).variant as string]! += 1;
    for (const { variant, weight } of allocations) expect(Math.abs((counts[variant] as number) / keys.length - weight / 100_000)).toBeLessThan(0.005);
  });

  it("answers any JSON context without throwing", () => {
    const compiled = compile(world([flag({ key: "f", module: "M", dependsOn: ["g"], state: { rules: [rule("r", [{ attribute: "plan", operator: "in", values: ["pro"] }], rollout(50))], fallthrough: rollout(50, "tenantKey") } }), flag({ key: "g" })]));
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom("targetingKey", "tenantKey", "plan", "__proto__", "constructor"), fc.jsonValue())), (context) => {
        const result = evaluate(compiled, "f", context, { trace: true });
        expect(EvaluationResult.safeParse(result).success).toBe(true);
        expect(() => evaluateAll(compiled, context)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it("compiles and answers arbitrary junk snapshots without throwing", () => {
    const junkOr = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: fc.anything() });
    const junkFlag = fc.record({
      key: junkOr(fc.constantFrom("f", "g")),
      type: junkOr(fc.constantFrom("boolean", "string", "number", "json")),
      variants: junkOr(fc.array(fc.record({ key: junkOr(fc.constantFrom("on", "off")), value: fc.anything() }))),
      offVariant: junkOr(fc.constant("off")),
      onVariant: junkOr(fc.constant("on")),
      salt: junkOr(fc.string()),
      module: fc.anything(),
      dependsOn: junkOr(fc.array(fc.constantFrom("f", "g"))),
      archived: fc.anything(),
      state: junkOr(
        fc.record({
          enabled: junkOr(fc.boolean()),
          rules: junkOr(fc.array(fc.record({ id: junkOr(fc.string()), conditions: junkOr(fc.array(junkOr(conditionArb))), serve: junkOr(fc.constantFrom({ variant: "on" }, rollout(30))) }))),
          fallthrough: junkOr(fc.constantFrom({ variant: "off" }, rollout(50))),
          tenantAllow: fc.anything(),
          tenantDeny: fc.anything(),
          tenantOverrides: junkOr(fc.array(fc.record({ tenantKey: fc.anything(), variant: fc.anything(), locked: fc.anything(), expiresAt: fc.anything() }))),
          userOverrides: fc.anything(),
        }),
      ),
    });
    const junkSnapshot = fc.oneof(
      fc.anything(),
      fc.record({ schemaVersion: junkOr(fc.constant(1)), masterSwitch: junkOr(fc.boolean()), flags: junkOr(fc.array(junkFlag, { maxLength: 3 })), segments: fc.anything(), tenants: fc.anything(), identities: fc.anything() }),
    );
    fc.assert(
      fc.property(junkSnapshot, contextArb, (junk, context) => {
        const compiled = compile(junk as EnvironmentSnapshot);
        for (const key of ["f", "g"]) expect(EvaluationResult.safeParse(evaluate(compiled, key, context, { trace: true, now: NOW })).success).toBe(true);
        expect(() => evaluateAll(compiled, context)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it("returns a value of the flag's type, or the caller's default with ERROR", () => {
    const types: FlagType[] = ["boolean", "string", "number", "json"];
    const typedFlag = fc.record({ type: fc.constantFrom(...types), values: fc.array(fc.jsonValue(), { minLength: 2, maxLength: 2 }) }).map(({ type, values }) =>
      flag({ key: "f", type, variants: [{ key: "on", value: values[0] as JsonValue }, { key: "off", value: values[1] as JsonValue }], state: { rules: [rule("r", [{ attribute: "plan", operator: "equals", values: ["pro"] }])] } }),
    );
    const defaultValue = { caller: "default" };
    fc.assert(
      fc.property(typedFlag, contextArb, fc.option(fc.constantFrom(...types), { nil: undefined }), (stored, context, expectedType) => {
        const result = evaluate(compile(snapshot({ flags: [stored] })), "f", context, { defaultValue, expectedType });
        if (result.reason === "ERROR") {
          expect(result.value).toBe(defaultValue);
          return;
        }
        const value = result.value;
        const type = stored.type;
        if (type === "boolean") expect(typeof value).toBe("boolean");
        if (type === "string") expect(typeof value).toBe("string");
        if (type === "number") expect(Number.isFinite(value)).toBe(true);
        if (expectedType !== undefined) expect(expectedType).toBe(type);
      }),
      { numRuns: 500 },
    );
  });
});
