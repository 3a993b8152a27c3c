import { describe, expect, it } from "vitest";
import { prerequisiteClosure } from "./snapshot-source.repository";

describe("prerequisiteClosure", () => {
  const graph = new Map<string, string[]>([
    ["a", ["b"]],
    ["b", ["c", "d"]],
    ["c", []],
    ["d", ["missing"]],
    ["e", []],
    ["loop", ["loop2"]],
    ["loop2", ["loop"]],
  ]);

  it("takes the flags with every prerequisite, transitively, and nothing else", () => {
    expect([...prerequisiteClosure(graph, ["a"])].sort()).toEqual(["a", "b", "c", "d"]);
    expect([...prerequisiteClosure(graph, ["e", "c"])].sort()).toEqual(["c", "e"]);
  });

  it("ends on cycles and ignores keys that are not live flags", () => {
    expect([...prerequisiteClosure(graph, ["loop"])].sort()).toEqual(["loop", "loop2"]);
    expect([...prerequisiteClosure(graph, ["ghost"])]).toEqual([]);
  });
});
