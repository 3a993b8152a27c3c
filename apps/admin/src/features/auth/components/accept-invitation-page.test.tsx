import { screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../../testing/render";
import { AcceptInvitationPage } from "./accept-invitation-page";

afterEach(() => vi.unstubAllGlobals());

const INFO = { workspace: { slug: "acme", name: "Acme" }, email: "invited@example.test", role: "editor", tenant: null, expiresAt: "2030-01-01T00:00:00.000Z" };
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** Answers by path, as the API would; anything else is a failure of the test. */
function stubApi(routes: Record<string, () => Response>) {
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    const path = String(input);
    const route = routes[path];
    if (!route) throw new Error(`unexpected request ${path}`);
    return route();
  });
  vi.stubGlobal("fetch", fetch);
  return fetch;
}

const renderPage = () => renderUi(<MemoryRouter><AcceptInvitationPage token="ein_token" /></MemoryRouter>);

describe("AcceptInvitationPage", () => {
  it("offers a new user a name and password, and an existing one to sign in as the invited email", async () => {
    stubApi({ "/v1/invitations/lookup": () => json(INFO), "/v1/auth/refresh": () => json({ error: { code: "UNAUTHENTICATED", message: "No session." } }, 401) });
    renderPage();
    expect(await screen.findByRole("heading", { name: "Join Acme" })).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveValue("invited@example.test");
    expect(screen.getByLabelText("Your name")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Sign in to accept" })).toHaveAttribute("href", `/login?next=${encodeURIComponent("/invite/ein_token")}`);
  });

  it("never accepts for another signed-in account", async () => {
    const fetch = stubApi({
      "/v1/invitations/lookup": () => json(INFO),
      "/v1/auth/refresh": () => json({ accessToken: "access", tokenType: "Bearer", expiresIn: 900 }),
      "/v1/auth/me": () => json({ id: "u1", email: "someone-else@example.test", name: "Other", isSuperadmin: false, memberships: [] }),
    });
    renderPage();
    expect(await screen.findByRole("alert")).toHaveTextContent("You are signed in as someone-else@example.test. Sign out and sign in as invited@example.test");
    expect(screen.queryByRole("button", { name: "Accept invitation" })).not.toBeInTheDocument();
    expect(fetch.mock.calls.map(([path]) => String(path))).not.toContain("/v1/invitations/accept");
  });

  it("says why a used or expired link cannot be used", async () => {
    stubApi({
      "/v1/invitations/lookup": () => json({ error: { code: "LINK_EXPIRED", message: "This invitation has expired; ask the workspace's admins for a new one." } }, 410),
      "/v1/auth/refresh": () => json({ error: { code: "UNAUTHENTICATED", message: "No session." } }, 401),
    });
    renderPage();
    expect(await screen.findByRole("heading", { name: "This invitation cannot be used" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("This invitation has expired");
  });
});
