import { describe, expect, it } from "vitest";
import { BOOLEAN_VARIANTS, findCycle, pickOnOff, variantIssues } from "./flag-definition";

describe("findCycle", () => {
  it("names the path of a cycle through the start, ending where it began", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(findCycle(graph, "a")).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(graph, "d")).toBeUndefined();
  });

  it("finds a self-dependency and ignores cycles that do not pass through the start", () => {
    expect(findCycle(new Map([["a", ["a"]]]), "a")).toEqual(["a", "a"]);
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["b"]],
    ]);
    expect(findCycle(graph, "a")).toBeUndefined();
  });

  it("handles diamonds without reporting a cycle", () => {
    const graph = new Map([
      ["a", ["b", "c"]],
      ["b", ["d"]],
      ["c", ["d"]],
      ["d", []],
    ]);
    expect(findCycle(graph, "a")).toBeUndefined();
  });
});

describe("variantIssues", () => {
  it("accepts values of the flag's type", () => {
    expect(variantIssues("boolean", BOOLEAN_VARIANTS)).toEqual([]);
    expect(variantIssues("number", [{ key: "a", value: 1.5 }])).toEqual([]);
    expect(variantIssues("json", [{ key: "a", value: { nested: [1] } }])).toEqual([]);
  });

  it("names each value of another type and each duplicate key", () => {
    const issues = variantIssues("string", [
      { key: "a", value: "x" },
      { key: "b", value: 3 },
      { key: "a", value: "y" },
    ]);
    expect(issues.map((i) => i.path)).toEqual(["body.variants.1.value", "body.variants.2.key"]);
  });

  it("refuses oversized JSON values", () => {
    expect(variantIssues("json", [{ key: "big", value: "x".repeat(40_000) }])[0]?.message).toMatch(/limited/);
  });
});

describe("pickOnOff", () => {
  it("defaults boolean flags to the variants whose values are false and true", () => {
    expect(pickOnOff("boolean", BOOLEAN_VARIANTS, {})).toEqual({ offVariant: "off", onVariant: "on", issues: [] });
  });

  it("requires non-boolean flags to name both, and refuses unknown keys", () => {
    const variants = [
      { key: "control", value: "a" },
      { key: "treatment", value: "b" },
    ];
    expect(pickOnOff("string", variants, {}).issues.map((i) => i.path)).toEqual(["body.offVariant", "body.onVariant"]);
    expect(pickOnOff("string", variants, { offVariant: "control", onVariant: "nope" }).issues).toEqual([
      { path: "body.onVariant", message: "'nope' is not one of the flag's variants" },
    ]);
  });
});
