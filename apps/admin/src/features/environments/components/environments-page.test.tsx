import type { Role } from "@ensign/contracts/auth";
import type { WorkspaceResponse } from "@ensign/contracts/workspaces";
import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { workspacesKey } from "../../../lib/query-keys";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { EnvironmentsPage } from "./environments-page";

afterEach(() => vi.unstubAllGlobals());

/** Records PATCHes and answers them with `patch()`; every GET (the workspaces refetch) with the given list. */
function stubApi(patch: () => Response, workspaces: WorkspaceResponse[]) {
  const patches: { url: string; body: unknown; ifMatch?: string }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === "PATCH") {
        patches.push({ url, body: JSON.parse(init.body as string), ifMatch: (init.headers as Record<string, string>)["if-match"] });
        return patch();
      }
      return new Response(JSON.stringify({ items: workspaces }), { status: 200 });
    }),
  );
  return patches;
}

/** The page in the `demo` workspace, its workspaces query seeded as the app's layout has it. */
function renderPage(role: Role, patch: () => Response = () => new Response("{}", { status: 200 }), required: string[] = []) {
  const scope = testScope(role);
  for (const env of scope.environments) env.requireContextToken = required.includes(env.key);
  const patches = stubApi(patch, [scope.workspace]);
  const rendered = renderUi(
    <WithScope scope={scope}>
      <EnvironmentsPage />
    </WithScope>,
  );
  rendered.queryClient.setQueryData(workspacesKey, [scope.workspace]);
  const isRequired = (env: string) => rendered.queryClient.getQueryData<WorkspaceResponse[]>(workspacesKey)?.[0]?.environments.find((e) => e.key === env)?.requireContextToken;
  return { ...rendered, patches, isRequired };
}

describe("EnvironmentsPage: signed context tokens", () => {
  it("asks before requiring tokens, then flips the environment at once and sends the setting with its version", async () => {
    const { user, patches, isRequired } = renderPage("owner", () => new Promise<Response>(() => {}) as unknown as Response);
    expect(screen.getByText(/browsers \(client keys\) must send a token your backend signs/)).toBeInTheDocument();
    await user.click(screen.getByRole("switch", { name: "Require signed context tokens in Production" }));
    const dialog = screen.getByRole("dialog", { name: "Require signed context tokens in Production?" });
    expect(dialog).toHaveTextContent("Server keys are not affected");
    expect(patches).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Require tokens" }));
    await vi.waitFor(() => expect(patches).toHaveLength(1), { timeout: 10_000 });
    expect(patches[0]).toEqual({ url: "/v1/workspaces/demo/environments/production", body: { requireContextToken: true }, ifMatch: '"1"' });
    // Optimistic: the workspaces query (scope and switcher) already says so while the API answers.
    expect(isRequired("production")).toBe(true);
    expect(isRequired("staging")).toBe(false);
  });

  it("flips back when the API refuses", async () => {
    const refusal = () => new Response(JSON.stringify({ error: { code: "PRECONDITION_FAILED", message: "stale" } }), { status: 412 });
    const { user, patches, isRequired, queryClient } = renderPage("admin", refusal);
    await user.click(screen.getByRole("switch", { name: "Require signed context tokens in Staging" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Require tokens" }));
    await vi.waitFor(() => expect(patches).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => expect(queryClient.isMutating()).toBe(0), { timeout: 10_000 });
    expect(isRequired("staging")).toBe(false);
  });

  it("warns on every open environment, and lets an owner opt out only after a warning", async () => {
    const { user, patches } = renderPage("owner", undefined, ["production"]);
    expect(screen.getAllByRole("note").map((note) => note.textContent)).toEqual([
      "Any holder of this environment's client key can read any tenant's or user's flags.",
      "Any holder of this environment's client key can read any tenant's or user's flags.",
    ]);
    const on = screen.getByRole("switch", { name: "Require signed context tokens in Production" });
    expect(on).toHaveAttribute("aria-checked", "true");
    await user.click(on);
    const dialog = screen.getByRole("dialog", { name: "Stop requiring signed context tokens in Production?" });
    expect(dialog).toHaveTextContent("can read any tenant's or user's flags");
    expect(patches).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Stop requiring tokens" }));
    await vi.waitFor(() => expect(patches).toHaveLength(1), { timeout: 10_000 });
    expect(patches[0]!.body).toEqual({ requireContextToken: false });
  });

  it("lets an admin require tokens but not stop requiring them", () => {
    renderPage("admin", undefined, ["production"]);
    expect(screen.getByRole("switch", { name: "Require signed context tokens in Production" })).toBeDisabled();
    expect(screen.getByRole("switch", { name: "Require signed context tokens in Staging" })).toBeEnabled();
  });

  it("shows viewers and editors what is set, with no control", () => {
    for (const role of ["viewer", "editor"] as const) {
      const { unmount } = renderPage(role, undefined, ["production"]);
      expect(screen.queryByRole("switch")).not.toBeInTheDocument();
      expect(screen.getAllByText("Not required")).toHaveLength(2);
      expect(screen.getAllByText("Required")).toHaveLength(1);
      expect(screen.getAllByRole("note")).toHaveLength(2);
      unmount();
    }
  });
});

describe("EnvironmentsPage: production", () => {
  it("marks production environments and lets an admin mark another one, sending only the change with its version", async () => {
    const { user, patches } = renderPage("admin");
    const marked = screen.getAllByTitle("Toggles and rollouts here ask for confirmation");
    expect(marked.map((badge) => badge.closest("tr")?.querySelector(".font-mono")?.textContent)).toEqual(["production"]);
    await user.click(screen.getByRole("button", { name: "Edit Staging" }));
    const dialog = screen.getByRole("dialog", { name: "Edit Staging" });
    const switchEl = within(dialog).getByRole("switch", { name: "Production" });
    expect(switchEl).toHaveAttribute("aria-checked", "false");
    await user.click(switchEl);
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(patches).toHaveLength(1));
    expect(patches[0]).toEqual({ url: "/v1/workspaces/demo/environments/staging", body: { name: "Staging", color: "#64748b", isProduction: true }, ifMatch: '"1"' });
  });
});
