import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../testing/render";
import { Switch } from "./switch";

afterEach(() => vi.unstubAllGlobals());

describe("Switch help", () => {
  it("shows its help on keyboard focus, even when the switch is disabled", async () => {
    // jsdom has no ResizeObserver; the tooltip's positioning only needs it to exist.
    vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
    const { user } = renderUi(<Switch checked={false} label="Reports" disabled help="Monthly sales reports" />);
    expect(screen.getByRole("switch", { name: "Reports" })).toBeDisabled();
    await user.tab();
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Monthly sales reports");
  });

  it("renders no tooltip trigger without help", async () => {
    const { user } = renderUi(<Switch checked label="Reports" />);
    await user.tab();
    expect(screen.getByRole("switch", { name: "Reports" })).toHaveFocus();
    expect(screen.queryByRole("tooltip")).not.toBeInTheDocument();
  });
});
