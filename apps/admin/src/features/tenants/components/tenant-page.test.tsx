import type { Role } from "@ensign/contracts/auth";
import type { TenantDetailFlag, TenantDetailResponse } from "@ensign/contracts/tenants";
import { screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { TenantPage } from "./tenant-page";

const flag = (over: Partial<TenantDetailFlag>): TenantDetailFlag => ({
  key: "f",
  name: "F",
  description: "",
  type: "boolean",
  variants: ["on", "off"],
  onVariant: "on",
  offVariant: "off",
  module: null,
  value: false,
  variant: "off",
  reason: "DEFAULT",
  detail: "FALLTHROUGH",
  isOn: false,
  override: null,
  ...over,
});

const tenant: TenantDetailResponse = {
  id: "t1",
  key: "arizona-comedy",
  name: "Arizona Comedy",
  attributes: {},
  modules: [],
  version: 1,
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  environment: "production",
  flagValues: [
    flag({ key: "knowledge_base", name: "Knowledge Base", description: "Articles and documentation for producers" }),
    flag({ key: "ai_agents", name: "AI Agents", value: true, variant: "on", isOn: true, reason: "TARGETING_MATCH", detail: "TENANT_OVERRIDE_LOCKED", override: { variant: "on", source: "workspace_admin", locked: true, expiresAt: null, isExpired: false, version: 4 } }),
    flag({ key: "checkout_theme", name: "Checkout theme", type: "string", variants: ["classic", "bold"], onVariant: "bold", offVariant: "classic", value: "classic", variant: "classic", module: "SALES", reason: "DISABLED", detail: "MODULE_DISABLED" }),
  ],
};

interface Call { method: string; url: string; body?: unknown; ifMatch?: string }

afterEach(() => vi.unstubAllGlobals());

function stubApi() {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      const method = init?.method ?? "GET";
      if (method === "GET") return new Response(JSON.stringify(tenant), { status: 200 });
      calls.push({ method, url, body: init?.body ? JSON.parse(init.body as string) : undefined, ifMatch: (init?.headers as Record<string, string>)["if-match"] });
      return method === "DELETE" ? new Response(null, { status: 204 }) : new Response(JSON.stringify({}), { status: 200 });
    }),
  );
  return calls;
}

const renderPage = (role: Role = "owner") =>
  renderUi(
    <MemoryRouter initialEntries={["/w/demo/tenants/arizona-comedy"]}>
      <WithScope scope={testScope(role)}>
        <Routes><Route path="/w/:ws/tenants/:tenant" element={<TenantPage />} /></Routes>
      </WithScope>
    </MemoryRouter>,
  );

const rowOf = async (name: string) => (await screen.findByRole("link", { name: new RegExp(name) })).closest("tr")!;
const base = "/v1/workspaces/demo/flags";

describe("TenantPage flag values", () => {
  it("says why each value is what it is", async () => {
    stubApi();
    renderPage();
    expect(within(await rowOf("Knowledge Base")).getByText("Default")).toBeInTheDocument();
    expect(within(await rowOf("AI Agents")).getByText("Locked override")).toBeInTheDocument();
    expect(within(await rowOf("Checkout theme")).getByText("Module SALES off")).toBeInTheDocument();
  });

  it("switches a flag on for the tenant with an override, without If-Match when there is none yet", async () => {
    const calls = stubApi();
    const { user } = renderPage();
    await user.click(within(await rowOf("Knowledge Base")).getByRole("switch", { name: "Knowledge Base for Arizona Comedy" }));
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 10_000 });
    expect(calls[0]).toEqual({ method: "PUT", url: `${base}/knowledge_base/environments/production/tenant-overrides/arizona-comedy`, body: { variant: "on" }, ifMatch: undefined });
  });

  it("unlocks, expires and clears an override with its version", async () => {
    const calls = stubApi();
    const { user } = renderPage();
    const row = await rowOf("AI Agents");
    await user.click(within(row).getByRole("button", { name: "Unlock the override of AI Agents, locked" }));
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 10_000 });
    expect(calls[0]).toMatchObject({ method: "POST", url: `${base}/ai_agents/environments/production/tenant-overrides/arizona-comedy/unlock`, ifMatch: '"4"' });
    await user.click(within(row).getByRole("button", { name: "Set an expiry for the override of AI Agents, no expiry yet" }));
    const expiry = within(row).getByLabelText("Expiry of the override of AI Agents");
    expect(expiry).toHaveFocus();
    await user.type(expiry, "2030-01-02T03:04");
    await user.tab();
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 10_000 });
    expect(calls[1]).toMatchObject({ method: "PUT", body: { variant: "on", expiresAt: new Date("2030-01-02T03:04").toISOString() }, ifMatch: '"4"' });
    await user.click(within(row).getByRole("button", { name: "Clear the override of AI Agents" }));
    await vi.waitFor(() => expect(calls).toHaveLength(3), { timeout: 10_000 });
    expect(calls[2]).toMatchObject({ method: "DELETE", url: `${base}/ai_agents/environments/production/tenant-overrides/arizona-comedy`, ifMatch: '"4"' });
  });

  it("serves a chosen variant of a non-boolean flag", async () => {
    const calls = stubApi();
    const { user } = renderPage();
    await user.selectOptions(within(await rowOf("Checkout theme")).getByLabelText("Variant of Checkout theme for Arizona Comedy"), "bold");
    await vi.waitFor(() => expect(calls).toHaveLength(1), { timeout: 10_000 });
    expect(calls[0]).toMatchObject({ method: "PUT", url: `${base}/checkout_theme/environments/production/tenant-overrides/arizona-comedy`, body: { variant: "bold" } });
  });

  it("lets an editor set overrides but neither lock nor change a locked one", async () => {
    stubApi();
    renderPage("editor");
    expect(within(await rowOf("Knowledge Base")).getByRole("switch")).toBeEnabled();
    const locked = await rowOf("AI Agents");
    expect(within(locked).getByRole("switch")).toBeDisabled();
    expect(within(locked).queryByRole("button", { name: /lock/i })).not.toBeInTheDocument();
    expect(within(locked).queryByRole("button", { name: /Clear/ })).not.toBeInTheDocument();
    expect(within(locked).getByText("locked")).toBeInTheDocument();
  });

  it("is read-only for a viewer", async () => {
    stubApi();
    renderPage("viewer");
    expect(within(await rowOf("Knowledge Base")).getByRole("switch")).toBeDisabled();
    expect(within(await rowOf("Checkout theme")).getByRole("combobox")).toBeDisabled();
  });

  it("shows the flag's description when its switch gets keyboard focus", async () => {
    stubApi();
    // jsdom has no ResizeObserver; the tooltip's positioning only needs it to exist.
    vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
    const { user } = renderPage();
    await rowOf("Knowledge Base");
    const sw = screen.getByRole("switch", { name: "Knowledge Base for Arizona Comedy" });
    while (document.activeElement !== sw) await user.tab();
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Articles and documentation for producers");
  });
});
