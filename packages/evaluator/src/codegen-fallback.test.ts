import { afterEach, describe, expect, it, vi } from "vitest";
import { NOW, flag, rule, segment, snapshot, when } from "../test/builders";

/**
 * Where functions cannot be built from source (a strict Content Security Policy, an edge
 * runtime), compile falls back to the interpreter with the same answers. The test takes a module
 * instance of its own, whatever its worker imported before, so the one-time probe runs here and
 * succeeds, and only the builds after it meet the stubbed `Function`.
 */
const stored = snapshot({
  flags: [flag({ key: "f", state: { rules: [rule("pro", [when("plan", "in", ["pro"]), when("targetingKey", "in_segment", ["s"])])] } })],
  segments: [segment("s", { rules: [{ conditions: [when("age", "gte", [18])] }] })],
});
const refuse = () => {
  throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not allowed");
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("without code generation", () => {
  it("falls back to the interpreter when building a function fails after the probe", async () => {
    vi.resetModules();
    const { compile, evaluate } = await import("./index");
    const probed = compile(stored);
    expect(evaluate(probed, "f", { plan: "pro", age: 20 }, { now: NOW }).detail).toBe("RULE:pro");
    vi.stubGlobal("Function", refuse);
    const fallback = compile(stored);
    expect(evaluate(fallback, "f", { plan: "pro", age: 20 }, { now: NOW }).detail).toBe("RULE:pro");
    expect(evaluate(fallback, "f", { plan: "pro", age: 17 }, { now: NOW }).detail).toBe("FALLTHROUGH");
  });
});
