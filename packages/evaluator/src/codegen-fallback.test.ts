import { afterEach, describe, expect, it, vi } from "vitest";
import { NOW, flag, rule, segment, snapshot, when } from "../test/builders";
import { compile, evaluate } from "./index";

/**
 * Where functions cannot be built from source (a strict Content Security Policy, an edge
 * runtime), compile falls back to the interpreter with the same answers. This file has its own
 * module instance, so the one-time probe runs here under the stubbed `Function`.
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
  it("falls back to the interpreter when building a function fails after the probe", () => {
    const probed = compile(stored);
    expect(evaluate(probed, "f", { plan: "pro", age: 20 }, { now: NOW }).detail).toBe("RULE:pro");
    vi.stubGlobal("Function", refuse);
    const fallback = compile(stored);
    expect(evaluate(fallback, "f", { plan: "pro", age: 20 }, { now: NOW }).detail).toBe("RULE:pro");
    expect(evaluate(fallback, "f", { plan: "pro", age: 17 }, { now: NOW }).detail).toBe("FALLTHROUGH");
  });
});
