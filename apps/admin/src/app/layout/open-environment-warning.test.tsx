import { screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { renderUi } from "../../testing/render";
import { testScope, WithScope } from "../../testing/scope";
import { OpenEnvironmentWarning } from "./open-environment-warning";

function renderWarning(isRequired: boolean) {
  const scope = testScope("viewer");
  scope.environment = { ...scope.environment, requireContextToken: isRequired };
  return renderUi(
    <MemoryRouter>
      <WithScope scope={scope}>
        <OpenEnvironmentWarning />
      </WithScope>
    </MemoryRouter>,
  );
}

describe("OpenEnvironmentWarning", () => {
  it("warns, on every page, while the current environment does not require signed context tokens", () => {
    renderWarning(false);
    const warning = screen.getByRole("status");
    expect(warning).toHaveTextContent(/: no signed context tokens required$/);
    expect(warning).toHaveAttribute("href", "/w/demo/environments");
    expect(warning).toHaveAttribute("title", expect.stringMatching(/can read any tenant's or user's flags/));
  });

  it("says nothing while tokens are required", () => {
    renderWarning(true);
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
  });
});
