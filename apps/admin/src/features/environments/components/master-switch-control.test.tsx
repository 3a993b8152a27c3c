import type { Role } from "@ensign/contracts/auth";
import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { workspacesKey } from "../../../lib/query-keys";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { EnvironmentsPage } from "./environments-page";

afterEach(() => vi.unstubAllGlobals());

/** Records PUTs to the master switch; every GET (the workspaces refetch) answers the scope's workspace. */
function renderPage(role: Role, isOn = false) {
  const scope = testScope(role);
  const production = scope.environments[2]!;
  if (isOn) production.masterSwitch = { enabled: true, reason: "checkout outage", changedAt: "2026-12-06T10:00:00Z", changedBy: "ops@acme.io" };
  const puts: { url: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === "PUT") {
        puts.push({ url, body: JSON.parse(init.body as string) });
        return new Response(JSON.stringify({ ...production, masterSwitch: { ...production.masterSwitch, enabled: !isOn } }), { status: 200 });
      }
      return new Response(JSON.stringify({ items: [scope.workspace] }), { status: 200 });
    }),
  );
  const rendered = renderUi(
    <WithScope scope={scope}>
      <EnvironmentsPage />
    </WithScope>,
  );
  rendered.queryClient.setQueryData(workspacesKey, [scope.workspace]);
  return { ...rendered, puts };
}

describe("EnvironmentsPage: master switch", () => {
  it("turns it on only after the environment's key is typed, with the reason given", async () => {
    const { user, puts } = renderPage("admin");
    expect(screen.getByText(/emergency stop: while it is on, every flag there serves its off variant/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Turn on the master switch of Production" }));
    const dialog = screen.getByRole("dialog", { name: "Turn off every flag in Production?" });
    expect(dialog).toHaveTextContent("serves its off variant, for every user and tenant");
    const confirm = within(dialog).getByRole("button", { name: "Turn on master switch" });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/Reason/), "checkout outage");
    await user.type(within(dialog).getByLabelText(/to confirm/), "producti");
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText(/to confirm/), "on");
    await user.click(confirm);
    await vi.waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0]).toEqual({ url: "/v1/workspaces/demo/environments/production/master-switch", body: { enabled: true, reason: "checkout outage" } });
  });

  it("shows who turned it on and lifts it after a confirmation", async () => {
    const { user, puts } = renderPage("owner", true);
    expect(screen.getByText("On: every flag off")).toBeInTheDocument();
    expect(screen.getByText(/by ops@acme\.io/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Lift master switch" }));
    const dialog = screen.getByRole("dialog", { name: "Lift the master switch of Production?" });
    expect(dialog).toHaveTextContent("“checkout outage”");
    await user.click(within(dialog).getByRole("button", { name: "Lift master switch" }));
    await vi.waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0]!.body).toEqual({ enabled: false });
  });

  it("only tells editors and viewers the state", () => {
    renderPage("editor", true);
    expect(screen.getByText("On: every flag off")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Lift master switch" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Turn on the master switch/ })).not.toBeInTheDocument();
  });
});
