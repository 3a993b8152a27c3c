import { afterEach, describe, expect, it, vi } from "vitest";
import { NOW, flag, rule, snapshot, when } from "../test/builders";

/** A runtime that refuses `new Function` from the start gets the interpreter, silently. */
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("in a runtime without eval", () => {
  it("compiles with the interpreter and answers the same", async () => {
    vi.stubGlobal("Function", () => {
      throw new EvalError("unsafe-eval is not allowed");
    });
    // A module instance of its own, whatever this worker imported before: its one-time probe
    // runs here, under the stubbed `Function`.
    vi.resetModules();
    const { compile, evaluate } = await import("./index");
    const compiled = compile(snapshot({ flags: [flag({ key: "f", state: { rules: [rule("pro", [when("plan", "in", ["pro"])])] } })] }));
    expect(evaluate(compiled, "f", { plan: "pro" }, { now: NOW }).detail).toBe("RULE:pro");
    expect(compiled.generateCode).toBe(true);
  });
});
