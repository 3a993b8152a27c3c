import type { FlagStateSummary } from "@ensign/contracts/flags";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FlagStatusCell } from "./flag-status";

const summary = (enabled: boolean, status: FlagStateSummary["status"]): FlagStateSummary => ({
  environment: "production",
  enabled,
  status,
  rollout: { summary: "", percentage: null },
  ruleCount: 0,
  overrideCount: 0,
  userOverrideCount: 0,
  version: 1,
  updatedAt: "2026-01-01T00:00:00Z",
});

function look(enabled: boolean, status: FlagStateSummary["status"]) {
  const { container, unmount } = render(<FlagStatusCell name="Checkout" summary={summary(enabled, status)} canToggle onToggle={() => {}} />);
  const toggle = screen.getByRole("switch");
  const result = {
    checked: toggle.getAttribute("aria-checked"),
    green: toggle.className.includes("bg-emerald-500"),
    label: toggle.getAttribute("aria-label"),
    status: container.textContent,
  };
  unmount();
  return result;
}

describe("FlagStatusCell: the switch, its colour, its name and the status agree", () => {
  it("is green and on only when the flag serves its on variant to everyone", () => {
    expect(look(true, "on")).toEqual({ checked: "true", green: true, label: "Checkout in production: enabled, on for everyone", status: "on" });
  });

  it("is amber, never green, when only some get it", () => {
    const partial = look(true, "partial");
    expect(partial).toMatchObject({ checked: "true", green: false, label: "Checkout in production: enabled, on for some", status: "partial" });
  });

  it("is never green beside a status that says off: enabled but serving the off variant to everyone", () => {
    const servesOff = look(true, "off");
    expect(servesOff).toEqual({ checked: "true", green: false, label: "Checkout in production: enabled, serving the off variant to everyone", status: "serves off" });
  });

  it("is off, unchecked and grey when disabled, whatever the targeting would serve", () => {
    for (const status of ["on", "partial", "off"] as const) {
      expect(look(false, status)).toEqual({ checked: "false", green: false, label: "Checkout in production: disabled", status: "off" });
    }
  });
});
