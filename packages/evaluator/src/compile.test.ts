import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { NOW, flag, rule, segment, snapshot, tenant, when } from "../test/builders";
import { compile, evaluate, evaluateAll, flagKeys } from "./index";

const garbage = (value: unknown) => value as EnvironmentSnapshot;

/** Compiles one stored flag (anything at all) next to a healthy one and evaluates it. */
function evaluateStored(stored: unknown, context: Record<string, unknown> = { targetingKey: "u" }) {
  const compiled = compile(garbage(snapshot({ flags: [stored as never, flag({ key: "healthy" })] })));
  expect(evaluate(compiled, "healthy", {})).toMatchObject({ value: false, reason: "STATIC" });
  return { compiled, result: evaluate(compiled, "broken", context, { now: NOW, defaultValue: "dflt" }) };
}

describe("compile on unusable snapshots", () => {
  it.each([
    ["not an object", null, "the snapshot is not an object"],
    ["an array", [], "the snapshot is not an object"],
    ["another schema version", { ...snapshot(), schemaVersion: 2 }, "snapshot schema version 2 is not supported (expected 1)"],
  ])("answers ERROR everywhere for %s", (_name, input, reason) => {
    const compiled = compile(garbage(input));
    expect(compiled.failure).toBe(reason);
    expect(compiled.issues).toEqual([{ path: "", message: reason }]);
    expect(evaluate(compiled, "any", {}, { trace: true })).toMatchObject({ reason: "ERROR", errorCode: "PARSE_ERROR", errorMessage: reason, trace: [{ step: "flag", outcome: "error" }] });
    expect(evaluateAll(compiled, {})).toEqual([]);
  });

  it("survives a snapshot whose every read throws", () => {
    const hostile = new Proxy({}, { get: () => { throw new Error("boom"); }, getPrototypeOf: () => { throw new Error("boom"); } });
    const compiled = compile(garbage(hostile));
    expect(compiled.failure).toMatch(/could not be compiled|not an object/);
    expect(evaluate(compiled, "x", {}).reason).toBe("ERROR");
  });

  it("reports an unreadable thrown value without throwing itself", () => {
    const hostile = new Proxy({}, { get: () => { throw { toString: () => { throw new Error("again"); } }; } });
    expect(compile(garbage(hostile)).failure).toBe("the snapshot could not be compiled: an unreadable error");
  });

  it("keeps metadata and tolerates missing lists", () => {
    const compiled = compile(garbage({ schemaVersion: 1 }));
    expect(compiled).toMatchObject({ failure: null, workspace: "", environment: "", version: 0, generatedAt: "", issues: [] });
    const full = compile(snapshot());
    expect(full).toMatchObject({ workspace: "ws", environment: "production", version: 7, generatedAt: "2025-06-01T00:00:00.000Z", generateCode: true });
  });

  it("lists what it could not use, and uses the rest", () => {
    const compiled = compile(
      garbage({
        ...snapshot(),
        flags: [7, { key: "" }, flag({ key: "a" }), flag({ key: "a", state: { fallthrough: { variant: "on" } } })],
        segments: "nope",
        tenants: [{ key: 1 }, tenant("t1", { plan: "pro" }), tenant("t1", { plan: "free" }), { key: "t2", attributes: { f: () => 1, ok: 1 }, disabledModules: [1, "FIN"] }],
        identities: [null, { key: "u1", traits: { stage: "x" } }, { key: "u1", traits: {} }, { key: "u2", traits: [1] }],
      }),
    );
    expect(compiled.issues).toEqual([
      { path: "segments", message: "not a list; ignored" },
      { path: "flags[0]", message: "the flag has no key; dropped" },
      { path: "flags[1]", message: "the flag has no key; dropped" },
      { path: "flags[3]", message: "flag 'a' appears twice; the first is used" },
      { path: "tenants[0]", message: "the tenant has no key; dropped" },
      { path: "identities[0]", message: "the identity has no key; dropped" },
    ]);
    expect(flagKeys(compiled)).toEqual(["a"]);
    expect(evaluate(compiled, "a", {}).value).toBe(false);
    expect(compiled.tenants.get("t1")?.attributes).toEqual({ plan: "pro" });
    expect(compiled.tenants.get("t2")).toMatchObject({ attributes: { ok: 1 }, disabledModules: new Set(["FIN"]) });
    expect(compiled.identities.get("u1")).toEqual({ stage: "x" });
    expect(compiled.identities.get("u2")).toEqual({});
  });

  it("does not change its input, and later changes to the input do not reach it", () => {
    const stored = snapshot({ flags: [flag({ key: "f", variants: [{ key: "on", value: true }, { key: "off", value: false }], state: { fallthrough: { variant: "on" } } })] });
    const before = JSON.stringify(stored);
    const compiled = compile(stored);
    expect(JSON.stringify(stored)).toBe(before);
    (stored.flags[0] as { state: { enabled: boolean } }).state.enabled = false;
    expect(evaluate(compiled, "f", {}).value).toBe(true);
  });
});

describe("compile on malformed flags", () => {
  const base = flag({ key: "broken" });
  it.each([
    ["an unknown type", { ...base, type: "date" }, "unknown type 'date'"],
    ["variants that are not a list", { ...base, variants: {} }, "variants is not a list"],
    ["a variant without a key", { ...base, variants: [{ value: true }] }, "a variant has no key"],
    ["no state", { ...base, state: null }, "the flag has no state"],
    ["a non-boolean kill switch", { ...base, state: { ...base.state, enabled: "yes" } }, "state.enabled is not a boolean"],
    ["rules that are not a list", { ...base, state: { ...base.state, rules: {} } }, "state.rules is not a list"],
    ["no salt", { ...base, salt: 5 }, "salt is not a string"],
    ["no off variant", { ...base, offVariant: null }, "offVariant is not a string"],
    ["prerequisites that are not keys", { ...base, dependsOn: [1] }, "dependsOn is not a list of strings"],
    ["an allow list that is not a list", { ...base, state: { ...base.state, tenantAllow: "acme" } }, "state.tenantAllow is not a list of strings"],
    ["overrides that are not a list", { ...base, state: { ...base.state, userOverrides: {} } }, "userOverrides is not a list"],
    ["no fallthrough", { ...base, state: { ...base.state, fallthrough: null } }, "the fallthrough is unusable: not a variant or a split"],
    ["a fallthrough that is neither", { ...base, state: { ...base.state, fallthrough: { split: { allocations: [] } } } }, "the fallthrough is unusable: not a variant or a split"],
    ["a split allocation without a variant", { ...base, state: { ...base.state, fallthrough: { split: { allocations: [{ weight: 100_000 }] } } } }, "the fallthrough is unusable: an allocation names no variant"],
    ["a fractional weight", { ...base, state: { ...base.state, fallthrough: { split: { allocations: [{ variant: "on", weight: 0.5 }] } } } }, "the fallthrough is unusable: allocation weights are integers from 0 to 100000"],
    ["weights that do not total 100 %", { ...base, state: { ...base.state, fallthrough: { split: { allocations: [{ variant: "on", weight: 40_000 }] } } } }, "the fallthrough is unusable: split weights total 40000, not 100000"],
  ])("%s answers PARSE_ERROR", (_name, stored, message) => {
    const { compiled, result } = evaluateStored(stored);
    expect(result).toEqual({ key: "broken", value: "dflt", reason: "ERROR", detail: "PARSE_ERROR", errorCode: "PARSE_ERROR", errorMessage: message });
    expect(compiled.issues).toContainEqual({ flagKey: "broken", path: "flags[0]", message });
  });

  it("answers PARSE_ERROR when reading the stored flag throws", () => {
    const stored = { ...base, get state(): never { throw new Error("no state today"); } };
    const { result } = evaluateStored(stored);
    expect(result).toMatchObject({ errorCode: "PARSE_ERROR", errorMessage: "compiling it failed: no state today" });
  });

  it("reads absent optional parts as empty", () => {
    const { state, dependsOn: _dependsOn, ...rest } = flag({ key: "broken" });
    const { tenantOverrides: _t, userOverrides: _u, version: _v, tenantAllow: _a, ...leanState } = state;
    const { compiled, result } = evaluateStored({ ...rest, state: { ...leanState, userOverrides: [{ userKey: "u", variant: "on", expiresAt: 12 }] } });
    expect(result).toMatchObject({ value: false, reason: "DEFAULT", detail: "FALLTHROUGH" });
    expect(compiled.flags.get("broken")).toMatchObject({ stateVersion: 0, prerequisites: [], isStatic: false });
  });

  it("keeps an archived malformed flag archived, and treats it as a failed prerequisite", () => {
    const compiled = compile(garbage(snapshot({ flags: [{ ...base, archived: true, type: "x" } as never, { ...base, key: "bad-proto", type: 3 } as never, flag({ key: "child", dependsOn: ["bad-proto"], state: { fallthrough: { variant: "on" } } })] })));
    expect(evaluate(compiled, "broken", {})).toMatchObject({ errorCode: "FLAG_NOT_FOUND" });
    expect(evaluate(compiled, "child", {})).toMatchObject({ value: false, detail: "PREREQUISITE_FAILED:bad-proto" });
    expect(compiled.flags.get("bad-proto")?.type).toBe("json");
  });

  it("ignores unusable overrides and keeps the first of duplicates", () => {
    const stored = flag({
      key: "broken",
      variants: [{ key: "on", value: true }, { key: "on", value: "dup" }, { key: "off", value: false }],
      state: {
        userOverrides: [{ userKey: "u", variant: "on" }, { userKey: "u", variant: "off" }, { variant: "on" } as never, "x" as never],
        tenantOverrides: [{ tenantKey: "acme", variant: "on", locked: "yes" as never }],
      },
    });
    const { compiled, result } = evaluateStored(stored);
    expect(result).toMatchObject({ value: true, detail: "USER_OVERRIDE" });
    expect(evaluate(compiled, "broken", { tenantKey: "acme" })).toMatchObject({ detail: "TENANT_OVERRIDE" });
    expect(compiled.issues.map((i) => i.path)).toEqual(["flags[0].state.userOverrides[2]", "flags[0].state.userOverrides[3]"]);
  });
});

describe("compile on malformed rules and conditions", () => {
  function ruleIssues(rules: unknown[]) {
    const compiled = compile(garbage(snapshot({ flags: [flag({ key: "f", state: { rules: rules as never, fallthrough: { variant: "off" } } })] })));
    return { compiled, messages: compiled.issues.map((i) => i.message) };
  }

  it("never matches a rule without an id or with unreadable conditions", () => {
    const { compiled, messages } = ruleIssues([{ conditions: [], serve: { variant: "on" } }, { id: "x", conditions: "all", serve: { variant: "on" } }, null]);
    expect(messages).toEqual(["the rule has no id", "the rule's conditions are not a list", "not a variant or a split", "the rule has no id"]);
    expect(evaluate(compiled, "f", {})).toMatchObject({ value: false, detail: "FALLTHROUGH" });
    expect(compiled.flags.get("f")?.rules.map((r) => r.id)).toEqual(["#1", "x", "#3"]);
  });

  it("passes over an unusable rule and still uses the next one", () => {
    const { compiled } = ruleIssues([{ conditions: [], serve: { variant: "on" } }, rule("next", [when("plan", "equals", ["pro"])])]);
    expect(evaluate(compiled, "f", { plan: "pro" })).toMatchObject({ value: true, detail: "RULE:next" });
    expect(evaluate(compiled, "f", { plan: "free" })).toMatchObject({ value: false, detail: "FALLTHROUGH" });
  });

  it("answers PARSE_ERROR when a matching rule's serve is unusable", () => {
    const { compiled, messages } = ruleIssues([rule("r", [], { split: { allocations: [{ variant: "on", weight: 1 }] } })]);
    expect(messages).toEqual(["split weights total 1, not 100000"]);
    expect(evaluate(compiled, "f", {}, { defaultValue: true })).toMatchObject({ value: true, reason: "ERROR", errorCode: "PARSE_ERROR", errorMessage: "the rule's serve is unusable: split weights total 1, not 100000" });
  });

  it.each([
    [null, "the condition has no attribute"],
    [{ attribute: "", operator: "in", values: ["a"] }, "the condition has no attribute"],
    [{ attribute: "a", operator: "like", values: ["a"] }, "unknown operator 'like'"],
    [{ attribute: "a", operator: 5, values: ["a"] }, "unknown operator ''"],
    [{ attribute: "a", operator: "in", values: "a" }, "the condition's values are not a list"],
    [{ attribute: "a", operator: "in", values: Array.from({ length: 1001 }, () => "x") }, "more than 1000 values"],
    [{ attribute: "a", operator: "in", values: [{}] }, "a value is not a string, finite number or boolean within the length limit"],
    [{ attribute: "a", operator: "in", values: [Number.NaN] }, "a value is not a string, finite number or boolean within the length limit"],
    [{ attribute: "a", operator: "in", values: ["x".repeat(1025)] }, "a value is not a string, finite number or boolean within the length limit"],
    [{ attribute: "a", operator: "in", values: [] }, "'in' needs at least one value"],
    [{ attribute: "a", operator: "gt", values: ["1"] }, "'gt' takes exactly one number"],
    [{ attribute: "a", operator: "percentage", values: [101] }, "'percentage' takes one number between 0 and 100, in steps of 0.001"],
    [{ attribute: "a", operator: "before", values: ["someday"] }, "'before' takes one ISO date or a relative time such as now-7d"],
    [{ attribute: "a", operator: "semver_eq", values: ["1.0"] }, "'semver_eq' takes semantic versions such as 1.4.0"],
    [{ attribute: "a", operator: "semver_eq", values: ["1.0.0-01"] }, "'semver_eq' takes semantic versions such as 1.4.0"],
    [{ attribute: "a", operator: "exists", values: [1] }, "'exists' takes no values"],
    [{ attribute: "a", operator: "in_segment", values: [1] }, "'in_segment' takes segment keys"],
    [{ attribute: "a", operator: "matches", values: [1] }, "regex refused: the pattern is not a string"],
    [{ attribute: "a", operator: "matches", values: ["a", "b"] }, "regex refused: the pattern is not a string"],
    [{ attribute: "a", operator: "matches", values: ["x".repeat(257)] }, "regex refused: the pattern is longer than 256 characters"],
    [{ attribute: "a", operator: "matches", values: ["(a"] }, "regex refused: the pattern is not a valid regular expression"],
    [
      { attribute: "a", operator: "matches", values: ["(?=x)x"] },
      "regex refused: the pattern uses syntax that needs backtracking (lookarounds, backreferences) or that RE2 does not support",
    ],
    [{ attribute: "a", operator: "matches", values: ["(?:a?){200}a{200}"] }, "regex refused: the pattern is too complex (large counted repetitions); simplify it"],
  ])("refuses %j: %s", (condition, message) => {
    const { compiled, messages } = ruleIssues([{ id: "r", conditions: [condition], serve: { variant: "on" } }]);
    expect(messages).toEqual([message]);
    expect(compiled.issues[0]).toEqual({ flagKey: "f", path: "flags[0].state.rules[0].conditions[0]", message });
    const context = { a: "x", targetingKey: "u" };
    expect(evaluate(compiled, "f", context).detail).toBe("FALLTHROUGH");
    expect(evaluate(compile(garbage(snapshot({ flags: [flag({ key: "f", state: { rules: [{ id: "r", conditions: [{ ...(condition ?? {}), negate: true } as never], serve: { variant: "on" } }] } })] }))), "f", context).detail).toBe("FALLTHROUGH");
  });

  it("reports segment defects without a flag key", () => {
    const compiled = compile(
      garbage(
        snapshot({
          segments: [
            segment("s", { rules: [{ conditions: [when("a", "matches", ["(a)\\1"])] }] }),
            { key: 1 } as never,
            segment("s"),
            segment("t", { rules: "x" as never }),
            { ...segment("u", { rules: [null as never] }), includedUsers: "ann" as never },
          ],
        }),
      ),
    );
    expect(compiled.issues).toEqual([
      { path: "segments[1]", message: "the segment has no key; dropped" },
      { path: "segments[2]", message: "segment 's' appears twice; the first is used" },
      {
        path: "segments[0].rules[0].conditions[0]",
        message: "regex refused: the pattern uses syntax that needs backtracking (lookarounds, backreferences) or that RE2 does not support",
      },
      { path: "segments[3].rules", message: "not a list; ignored" },
      { path: "segments[4].rules[0]", message: "the segment rule has no conditions; dropped" },
    ]);
    expect(compiled.segments.get("u")?.includedUsers.size).toBe(0);
  });
});
