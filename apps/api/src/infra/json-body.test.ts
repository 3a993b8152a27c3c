import { describe, expect, it } from "vitest";
import { jsonDepth } from "./json-body";

describe("jsonDepth", () => {
  it("counts nesting of arrays and objects, ignoring brackets inside strings", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{\\"]]"}')).toBe(1);
  });

  it("stops counting once past the limit", () => {
    expect(jsonDepth("[".repeat(1_000_000), 64)).toBe(65);
  });
});
