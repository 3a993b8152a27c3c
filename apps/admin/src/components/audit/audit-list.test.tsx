import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderUi } from "../../testing/render";
import { AuditList, type AuditItem } from "./audit-list";

const entry = (id: string, actor: AuditItem["actor"]): AuditItem => ({
  id,
  at: "2026-12-06T10:00:00Z",
  action: "flag_state.toggled",
  actor,
  targetType: "flag",
  targetKey: "checkout",
  environment: "staging",
  before: { enabled: false },
  after: { enabled: true },
});

describe("AuditList", () => {
  it("names the access token that acted, and a personal token's user", () => {
    renderUi(
      <AuditList
        items={[
          entry("1", { type: "personal_token", id: "t1", name: "release script", email: "ada@example.test", role: "admin" }),
          entry("2", { type: "service_token", id: "t2", name: "github actions", email: null, role: "editor" }),
          entry("3", { type: "user", id: "u1", email: "bob@example.test", role: "owner" }),
        ]}
      />,
    );
    expect(screen.getByText("ada@example.test (token release script)")).toBeInTheDocument();
    expect(screen.getByText("Service token github actions")).toBeInTheDocument();
    expect(screen.getByText("bob@example.test")).toBeInTheDocument();
  });
});
