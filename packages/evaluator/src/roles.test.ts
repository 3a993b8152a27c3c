import { describe, expect, it } from "vitest";
import { flag, rule, snapshot, when } from "../test/builders";
import { compile, evaluate } from "./index";
import { compileHierarchy } from "./roles";

const ladder = [
  { key: "employee", inherits: [], inheritedBy: [] },
  { key: "manager", inherits: ["employee"], inheritedBy: [] },
  { key: "admin", inherits: ["manager"], inheritedBy: [] },
];

describe("the role hierarchy", () => {
  it("gives every role itself and everything it inherits, transitively", () => {
    const hierarchy = compileHierarchy(ladder);
    expect([...(hierarchy.get("admin") ?? [])].sort()).toEqual(["admin", "employee", "manager"]);
    expect([...(hierarchy.get("employee") ?? [])]).toEqual(["employee"]);
  });

  it("ends on a cycle in stored data instead of looping", () => {
    const hierarchy = compileHierarchy([
      { key: "a", inherits: ["b"], inheritedBy: [] },
      { key: "b", inherits: ["a"], inheritedBy: [] },
    ]);
    expect([...(hierarchy.get("a") ?? [])].sort()).toEqual(["a", "b"]);
  });

  it("places a tenant role between two levels with inheritedBy, for that hierarchy only", () => {
    const workspace = compileHierarchy(ladder);
    const tenant = compileHierarchy(ladder, [{ key: "senior_manager", inherits: ["manager"], inheritedBy: ["admin"] }]);
    expect(tenant.get("admin")?.has("senior_manager")).toBe(true);
    expect(tenant.get("manager")?.has("senior_manager")).toBe(false);
    expect(workspace.get("admin")?.has("senior_manager")).toBe(false);
  });

  it("ignores inheritedBy naming a role that does not exist", () => {
    const hierarchy = compileHierarchy(ladder, [{ key: "x", inherits: [], inheritedBy: ["ghost"] }]);
    expect(hierarchy.has("ghost")).toBe(false);
  });
});

describe("role_at_least", () => {
  const flags = [flag({ key: "managers", state: { rules: [rule("r", [when("role", "role_at_least", ["manager"])])] } })];

  it("reports malformed roles and keeps the rest", () => {
    const compiled = compile({ ...snapshot({ flags }), roles: [{ key: "manager", inherits: [] }, { nope: true }] as never });
    expect(compiled.issues).toEqual([{ path: "roles[1]", message: "the role has no key; dropped" }]);
    expect(evaluate(compiled, "managers", { role: "manager" }).value).toBe(true);
  });

  it("reads a snapshot without roles: every role is only itself", () => {
    const compiled = compile(snapshot({ flags }));
    expect(evaluate(compiled, "managers", { role: "manager" }).value).toBe(true);
    expect(evaluate(compiled, "managers", { role: "admin" }).value).toBe(false);
  });

  it("agrees between generated and interpreted matchers", () => {
    const withRoles = { ...snapshot({ flags }), roles: ladder };
    for (const generateCode of [true, false]) {
      const compiled = compile(withRoles, { generateCode });
      expect(["employee", "manager", "admin"].map((role) => evaluate(compiled, "managers", { role }).value)).toEqual([false, true, true]);
    }
  });

  it("explains in the trace why a role is not enough", () => {
    const compiled = compile({ ...snapshot({ flags }), roles: ladder });
    const result = evaluate(compiled, "managers", { role: "employee" }, { trace: true });
    expect(result.trace?.find((step) => step.step === "rule:r")?.message).toContain("role role_at_least");
  });
});
