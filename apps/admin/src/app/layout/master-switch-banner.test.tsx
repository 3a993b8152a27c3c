import type { Role } from "@ensign/contracts/auth";
import { screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { renderUi } from "../../testing/render";
import { testScope, WithScope } from "../../testing/scope";
import { MasterSwitchBanner } from "./master-switch-banner";

function renderBanner(role: Role, isOn: boolean, environment = 2) {
  const scope = testScope(role);
  const production = scope.environments[2]!;
  if (isOn) production.masterSwitch = { enabled: true, reason: "incident 142", changedAt: "2026-12-06T10:00:00Z", changedBy: "ops@acme.io" };
  scope.environment = scope.environments[environment]!;
  return renderUi(
    <MemoryRouter>
      <WithScope scope={scope}>
        <MasterSwitchBanner />
      </WithScope>
    </MemoryRouter>,
  );
}

describe("MasterSwitchBanner", () => {
  it("says, on every page of the environment, that every flag serves its off variant, and links admins to lift it", () => {
    renderBanner("admin", true);
    const banner = screen.getByTestId("master-switch-banner");
    expect(banner).toHaveTextContent("Master switch on in Production: every flag serves its off variant.");
    expect(banner).toHaveTextContent("by ops@acme.io");
    expect(banner).toHaveTextContent("Reason: incident 142");
    expect(screen.getByRole("link", { name: "Lift it on the Environments page" })).toHaveAttribute("href", "/w/demo/environments");
  });

  it("gives viewers no link", () => {
    renderBanner("viewer", true);
    expect(screen.getByTestId("master-switch-banner")).toBeInTheDocument();
    expect(screen.queryByRole("link")).not.toBeInTheDocument();
  });

  it("says nothing while it is off", () => {
    renderBanner("owner", false);
    expect(screen.queryByTestId("master-switch-banner")).not.toBeInTheDocument();
  });

  it("says nothing in an environment whose switch is off", () => {
    renderBanner("owner", true, 1);
    expect(screen.queryByTestId("master-switch-banner")).not.toBeInTheDocument();
  });
});
