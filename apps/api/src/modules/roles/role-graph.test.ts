import { describe, expect, it } from "vitest";
import { dependantsOf, findCycle, levelsOf } from "./role-graph";

const role = (key: string, inherits: string[] = [], inheritedBy: string[] = []) => ({ key, inherits, inheritedBy });
const ladder = [role("employee"), role("manager", ["employee"]), role("admin", ["manager"])];

describe("the role graph", () => {
  it("has no cycle in the default ladder and levels it 0, 1, 2", () => {
    expect(findCycle(ladder)).toBeUndefined();
    expect(Object.fromEntries(levelsOf(ladder))).toEqual({ employee: 0, manager: 1, admin: 2 });
  });

  it("names the cycle a change would close", () => {
    expect(findCycle([role("employee", ["admin"]), role("manager", ["employee"]), role("admin", ["manager"])])).toEqual(["employee", "admin", "manager", "employee"]);
    expect(findCycle([role("a", ["a"])])).toEqual(["a", "a"]);
  });

  it("counts inheritedBy edges: a tenant role placed between manager and admin", () => {
    const withLead = [...ladder, role("senior", ["manager"], ["admin"])];
    expect(findCycle(withLead)).toBeUndefined();
    expect(levelsOf(withLead).get("admin")).toBe(3);
    expect(findCycle([...ladder, role("senior", ["admin"], ["manager"])])).toBeDefined();
  });

  it("finds the roles that inherit one", () => {
    expect(dependantsOf([...ladder, role("lead", ["employee"], ["admin"])], "employee")).toEqual(["manager", "lead"]);
    expect(dependantsOf(ladder, "admin")).toEqual([]);
  });
});
