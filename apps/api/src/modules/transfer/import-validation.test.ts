import { describe, expect, it } from "vitest";
import { prerequisiteCycle } from "./import-validation";

describe("prerequisiteCycle", () => {
  it.each([
    ["no prerequisites", [{ key: "a", dependsOn: [] }], undefined],
    ["a chain", [{ key: "a", dependsOn: ["b"] }, { key: "b", dependsOn: ["c"] }, { key: "c", dependsOn: [] }], undefined],
    ["a diamond", [{ key: "a", dependsOn: ["b", "c"] }, { key: "b", dependsOn: ["d"] }, { key: "c", dependsOn: ["d"] }, { key: "d", dependsOn: [] }], undefined],
    ["a loop", [{ key: "a", dependsOn: ["b"] }, { key: "b", dependsOn: ["c"] }, { key: "c", dependsOn: ["a"] }], ["a", "b", "c", "a"]],
    ["a self-loop", [{ key: "x", dependsOn: [] }, { key: "a", dependsOn: ["a"] }], ["a", "a"]],
    ["a loop behind a tail", [{ key: "t", dependsOn: ["a"] }, { key: "a", dependsOn: ["b"] }, { key: "b", dependsOn: ["a"] }], ["a", "b", "a"]],
  ])("finds %s", (_name, flags, cycle) => {
    expect(prerequisiteCycle(flags)).toEqual(cycle);
  });
});
