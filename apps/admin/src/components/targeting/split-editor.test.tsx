import type { Split, Variant } from "@ensign/contracts/targeting";
import { screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { renderUi } from "../../testing/render";
import { evenSplit, SplitEditor } from "./split-editor";

const variants: Variant[] = [
  { key: "control", value: { version: "v1" } },
  { key: "treatment", value: { version: "v2" } },
];

function Harness({ initial, onChange }: { initial: Split; onChange?(split: Split): void }) {
  const [split, setSplit] = useState(initial);
  return (
    <SplitEditor
      value={split}
      variants={variants}
      label="Distribution"
      onChange={(next) => {
        setSplit(next);
        onChange?.(next);
      }}
    />
  );
}

describe("SplitEditor", () => {
  it("shows a split that totals 100 % as valid", () => {
    renderUi(<Harness initial={{ allocations: [{ variant: "control", weight: 40_000 }, { variant: "treatment", weight: 60_000 }] }} />);
    expect(screen.getByLabelText("Distribution: control percent")).toHaveValue(40);
    expect(screen.getByLabelText("Distribution: treatment percent")).toHaveValue(60);
    expect(screen.getByText("Total 100 %")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says how far off a split is that does not total 100 %", async () => {
    const onChange = vi.fn();
    const { user } = renderUi(<Harness initial={{ allocations: [{ variant: "control", weight: 50_000 }, { variant: "treatment", weight: 50_000 }] }} onChange={onChange} />);
    const control = screen.getByLabelText("Distribution: control percent");
    await user.clear(control);
    await user.type(control, "30");
    expect(screen.getByRole("alert")).toHaveTextContent("Total 80 % — must be 100 % (20 % left)");
    expect(onChange).toHaveBeenLastCalledWith({ allocations: [{ variant: "control", weight: 30_000 }, { variant: "treatment", weight: 50_000 }] });

    const treatment = screen.getByLabelText("Distribution: treatment percent");
    await user.clear(treatment);
    await user.type(treatment, "70");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByText("Total 100 %")).toBeInTheDocument();
  });

  it("takes thousandths of a percent", async () => {
    const onChange = vi.fn();
    const { user } = renderUi(<Harness initial={evenSplit(variants)} onChange={onChange} />);
    const control = screen.getByLabelText("Distribution: control percent");
    await user.clear(control);
    await user.type(control, "33.333");
    expect(onChange).toHaveBeenLastCalledWith({ allocations: [{ variant: "control", weight: 33_333 }, { variant: "treatment", weight: 50_000 }] });
  });

  it("keeps the sticky bucketBy attribute, and drops it when cleared", async () => {
    const onChange = vi.fn();
    const { user } = renderUi(<Harness initial={evenSplit(variants)} onChange={onChange} />);
    await user.type(screen.getByLabelText("Distribution: bucket by attribute"), "tenantKey");
    expect(onChange).toHaveBeenLastCalledWith(expect.objectContaining({ bucketBy: "tenantKey" }));
    await user.clear(screen.getByLabelText("Distribution: bucket by attribute"));
    expect(onChange.mock.lastCall?.[0]).not.toHaveProperty("bucketBy");
  });

  it("splits evenly with the remainder on the first variant", () => {
    const split = evenSplit([{ key: "a" }, { key: "b" }, { key: "c" }]);
    expect(split.allocations.map((a) => a.weight)).toEqual([33_334, 33_333, 33_333]);
  });
});
