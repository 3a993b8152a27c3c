import { OPERATORS, RuleBody, type Variant } from "@ensign/contracts/targeting";
import { screen, within } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { renderUi } from "../../testing/render";
import { RuleBuilder, type RuleDraft } from "./rule-builder";

const variants: Variant[] = [
  { key: "on", value: true, name: "On" },
  { key: "off", value: false, name: "Off" },
];

const rule = (id: string, name: string, attribute = "role"): RuleDraft => ({ id, name, conditions: [{ attribute, operator: "in", values: ["admin"] }], serve: { variant: "on" } });

function Harness({ initial, disabled }: { initial: RuleDraft[]; disabled?: boolean }) {
  const [rules, setRules] = useState(initial);
  return (
    <>
      <RuleBuilder rules={rules} onChange={setRules} variants={variants} defaultVariant="on" segments={["beta-producers"]} roles={["employee", "manager", "admin"]} disabled={disabled} />
      <output data-testid="state">{JSON.stringify(rules)}</output>
    </>
  );
}

const state = () => JSON.parse(screen.getByTestId("state").textContent ?? "[]") as RuleDraft[];

describe("RuleBuilder", () => {
  it("adds a rule whose condition is built from attribute, operator and values", async () => {
    const { user } = renderUi(<Harness initial={[]} />);
    await user.click(screen.getByRole("button", { name: "Add rule" }));
    await user.type(screen.getByLabelText("Rule 1, condition 1 attribute"), "country");
    await user.selectOptions(screen.getByLabelText("Rule 1, condition 1 operator"), "in");
    const values = screen.getByLabelText("Rule 1, condition 1 values");
    await user.type(values, "NL{Enter}BE{Enter}");
    expect(state()[0]!.conditions).toEqual([{ attribute: "country", operator: "in", values: ["NL", "BE"] }]);
    await user.click(screen.getByRole("button", { name: "Rule 1, condition 1 negate" }));
    expect(screen.getByRole("button", { name: "Rule 1, condition 1 negate" })).toHaveAttribute("aria-pressed", "true");
    expect(state()[0]!.conditions[0]!.negate).toBe(true);
    // What the builder produces is what the API accepts.
    expect(RuleBody.safeParse(state()[0]).success).toBe(true);
  });

  it("offers every operator of the contract and shows a value error until it is fixed", async () => {
    const { user } = renderUi(<Harness initial={[rule("r1", "Admins")]} />);
    const operator = screen.getByLabelText("Rule 1, condition 1 operator");
    expect(within(operator).getAllByRole("option")).toHaveLength(OPERATORS.length);
    await user.selectOptions(operator, "gt");
    expect(screen.getByRole("alert")).toHaveTextContent("'gt' takes exactly one number");
    await user.type(screen.getByLabelText("Rule 1, condition 1 value"), "5");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(state()[0]!.conditions[0]).toEqual({ attribute: "role", operator: "gt", values: [5] });

    await user.selectOptions(operator, "exists");
    expect(state()[0]!.conditions[0]!.values).toEqual([]);
    expect(screen.getByText("no value needed")).toBeInTheDocument();
  });

  it("takes role keys for 'has role or above', suggesting the workspace's roles, and keeps the values it had", async () => {
    const { user } = renderUi(<Harness initial={[rule("r1", "Managers")]} />);
    await user.selectOptions(screen.getByLabelText("Rule 1, condition 1 operator"), "role_at_least");
    expect(screen.getByLabelText("Rule 1, condition 1 operator")).toHaveDisplayValue("has role or above (role_at_least)");
    const roles = screen.getByLabelText("Rule 1, condition 1 roles");
    const suggestions = document.getElementById(roles.getAttribute("list")!);
    expect([...(suggestions?.querySelectorAll("option") ?? [])].map((o) => o.value)).toEqual(["employee", "manager", "admin"]);
    await user.click(screen.getByRole("button", { name: "Remove admin" }));
    expect(screen.getByRole("alert")).toHaveTextContent("'role_at_least' takes role keys");
    await user.type(roles, "manager{Enter}");
    expect(state()[0]!.conditions[0]).toEqual({ attribute: "role", operator: "role_at_least", values: ["manager"] });
    expect(RuleBody.safeParse(state()[0]).success).toBe(true);
  });

  it("reorders rules with the move buttons and deletes them", async () => {
    const { user } = renderUi(<Harness initial={[rule("a", "First"), rule("b", "Second"), rule("c", "Third")]} />);
    expect(screen.getByRole("button", { name: "Move Rule 1 up" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Move Rule 3 down" })).toBeDisabled();

    await user.click(screen.getByRole("button", { name: "Move Rule 3 up" }));
    expect(state().map((r) => r.id)).toEqual(["a", "c", "b"]);
    await user.click(screen.getByRole("button", { name: "Move Rule 1 down" }));
    expect(state().map((r) => r.id)).toEqual(["c", "a", "b"]);

    await user.click(screen.getByRole("button", { name: "Delete Rule 2" }));
    expect(state().map((r) => r.id)).toEqual(["c", "b"]);
    expect(screen.getByLabelText("Rule 1 name")).toHaveValue("Third");
  });

  it("gives each rule a keyboard-operable drag handle", async () => {
    const { user } = renderUi(<Harness initial={[rule("a", "First"), rule("b", "Second")]} />);
    const handle = screen.getByRole("button", { name: "Drag Rule 1 to reorder" });
    handle.focus();
    await user.keyboard("[Space]");
    await user.keyboard("[ArrowDown]");
    await user.keyboard("[Space]");
    // jsdom has no layout for dnd-kit to measure, so the move itself is covered end to end; here
    // the handle is a focusable sortable control with keyboard instructions.
    expect(handle).toHaveAttribute("aria-roledescription", "sortable");
    expect(handle).toHaveAttribute("aria-describedby");
    expect(handle).toHaveFocus();
  });

  it("serves a split whose weights must total 100 %", async () => {
    const { user } = renderUi(<Harness initial={[rule("a", "Half")]} />);
    await user.selectOptions(screen.getByLabelText("Rule 1 serves"), "__split");
    expect(state()[0]!.serve).toEqual({ split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } });
    const on = screen.getByLabelText("Rule 1 split: on percent");
    await user.clear(on);
    await user.type(on, "10");
    expect(screen.getByRole("alert")).toHaveTextContent("must be 100 %");
    expect(RuleBody.safeParse(state()[0]).success).toBe(false);
  });

  it("shows rules read-only to someone who may not edit them", () => {
    renderUi(<Harness initial={[rule("a", "Admins")]} disabled />);
    expect(screen.queryByRole("button", { name: "Add rule" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Delete Rule/ })).not.toBeInTheDocument();
    expect(screen.getByLabelText("Rule 1, condition 1 attribute")).toBeDisabled();
  });
});
