import type { TenantFeature, TenantFeaturesResponse } from "@ensign/contracts/tenant-admin";
import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { TenantFeaturesPage } from "./tenant-features-page";

const feature = (over: Partial<TenantFeature>): TenantFeature => ({
  key: "f",
  name: "F",
  description: "",
  module: "FIN",
  enabled: false,
  value: false,
  reason: "DEFAULT",
  detail: "FALLTHROUGH",
  locked: false,
  lockedBy: null,
  isBeta: false,
  feedbackUrl: null,
  tenantManageable: true,
  deprecated: false,
  globallyDisabled: false,
  moduleEnabled: true,
  dependencies: [],
  dependants: [],
  canToggle: true,
  blockedBy: null,
  blockedReason: null,
  override: null,
  version: 0,
  ...over,
});

const response: TenantFeaturesResponse = {
  workspace: { slug: "demo", name: "Demo" },
  tenant: { key: "goodwin", name: "Goodwin" },
  environment: "production",
  modules: [
    {
      key: "FIN",
      name: "Finance",
      enabled: true,
      tenantManageable: true,
      features: [
        feature({ key: "fin_ai", name: "AI Extraction", enabled: true, value: true, dependants: ["fin_dup"], version: 3 }),
        feature({ key: "fin_dup", name: "Duplicate Detection", enabled: true, value: true, dependencies: [{ key: "fin_ai", name: "AI Extraction", isMet: true }] }),
        feature({ key: "fin_excel", name: "Excel Export", locked: true, lockedBy: "override", canToggle: false, blockedBy: "FEATURE_LOCKED", blockedReason: "Locked by your provider." }),
        feature({ key: "fin_beta", name: "Beta Thing", description: "Early access to the new reports", isBeta: true, feedbackUrl: "https://feedback.example/beta" }),
        feature({ key: "fin_kept", name: "Kept Feature", tenantManageable: false, canToggle: false, blockedBy: "FEATURE_NOT_MANAGEABLE", blockedReason: "Managed by the workspace admins." }),
      ],
    },
    { key: "STR", name: "Short-term rental", enabled: false, tenantManageable: false, features: [feature({ key: "str_x", name: "Channel Management", module: "STR", moduleEnabled: false, canToggle: false, blockedBy: "MODULE_DISABLED", blockedReason: "Module off." })] },
  ],
};

afterEach(() => vi.unstubAllGlobals());

function stubApi(answer: TenantFeaturesResponse = response) {
  const puts: { url: string; body: unknown; ifMatch?: string }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === "PUT") {
        puts.push({ url, body: JSON.parse(init.body as string), ifMatch: (init.headers as Record<string, string>)["if-match"] });
        return new Response(JSON.stringify(feature({})), { status: 200 });
      }
      return new Response(JSON.stringify(answer), { status: 200 });
    }),
  );
  return puts;
}

const renderPage = () =>
  renderUi(
    <WithScope scope={testScope("tenant_admin", { id: "t", key: "goodwin", name: "Goodwin" })}>
      <TenantFeaturesPage />
    </WithScope>,
  );

describe("TenantFeaturesPage", () => {
  it("groups features by module with beta, lock, dependency and module-off states", async () => {
    stubApi();
    renderPage();
    const finance = await screen.findByRole("region", { name: /Finance/ });
    expect(within(finance).getByText("Beta")).toBeInTheDocument();
    expect(within(finance).getByText("Locked by your provider")).toBeInTheDocument();
    expect(within(finance).getByRole("switch", { name: "Excel Export: off" })).toBeDisabled();
    expect(within(finance).getByText("Needs AI Extraction")).toBeInTheDocument();
    const str = screen.getByRole("region", { name: /Short-term rental/ });
    expect(within(str).getByText(/switched off for your organisation/)).toBeInTheDocument();
    expect(within(str).getByRole("switch", { name: "Channel Management: off" })).toBeDisabled();
  });

  it("shows read-only features and beta feedback links, and switches a module the provider lets the tenant manage", async () => {
    const puts = stubApi();
    const { user } = renderPage();
    const finance = await screen.findByRole("region", { name: /Finance/ });
    expect(within(finance).getByText("Managed by your provider")).toBeInTheDocument();
    expect(within(finance).getByRole("switch", { name: "Kept Feature: off" })).toBeDisabled();
    expect(within(finance).getByRole("link", { name: "Give feedback" })).toHaveAttribute("href", "https://feedback.example/beta");
    const str = screen.getByRole("region", { name: /Short-term rental/ });
    expect(within(str).queryByRole("switch", { name: /module/ })).not.toBeInTheDocument();
    await user.click(within(finance).getByRole("switch", { name: "Finance module: on" }));
    const dialog = screen.getByRole("dialog", { name: "Switch off the Finance module?" });
    expect(puts).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Switch off 2 features" }));
    await vi.waitFor(() => expect(puts).toHaveLength(1), { timeout: 10_000 });
    expect(puts[0]).toMatchObject({ url: "/v1/tenant/modules/FIN?workspace=demo", body: { enabled: false } });
    await vi.waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });

  it("asks before switching a module off, lists every feature that goes off with it, and changes nothing on Cancel", async () => {
    const puts = stubApi();
    const { user } = renderPage();
    // The search hides some of the module's features; the dialog still names all that are on.
    await user.type(await screen.findByLabelText("Search features"), "excel");
    await user.click(screen.getByRole("switch", { name: "Finance module: on" }));
    const dialog = screen.getByRole("dialog", { name: "Switch off the Finance module?" });
    expect(dialog).toHaveTextContent("Everyone in Goodwin loses these features immediately");
    const list = within(dialog).getByRole("list", { name: "Features that go off" });
    expect(within(list).getAllByRole("listitem").map((item) => item.textContent)).toEqual(["AI Extraction", "Duplicate Detection"]);
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "Finance module: on" })).toBeChecked();
    expect(puts).toHaveLength(0);
  });

  it("switches a module on without asking", async () => {
    const off = { ...response.modules[0]!, enabled: false, features: response.modules[0]!.features.map((f) => ({ ...f, enabled: false, value: false, moduleEnabled: false })) };
    const puts = stubApi({ ...response, modules: [off] });
    const { user } = renderPage();
    await user.click(await screen.findByRole("switch", { name: "Finance module: off" }));
    await vi.waitFor(() => expect(puts).toHaveLength(1), { timeout: 10_000 });
    expect(puts[0]).toMatchObject({ url: "/v1/tenant/modules/FIN?workspace=demo", body: { enabled: true } });
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("asks before disabling, names the features that depend on it, and sends force with the version", async () => {
    const puts = stubApi();
    const { user } = renderPage();
    await user.click(await screen.findByRole("switch", { name: "AI Extraction: on" }));
    const dialog = screen.getByRole("dialog", { name: "Turn off AI Extraction?" });
    expect(dialog).toHaveTextContent("Duplicate Detection");
    expect(puts).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Turn off 2 features" }));
    await vi.waitFor(() => expect(puts).toHaveLength(1), { timeout: 10_000 });
    expect(puts[0]).toEqual({ url: "/v1/tenant/features/fin_ai?workspace=demo", body: { enabled: false, force: true }, ifMatch: '"3"' });
  });

  it("says so while the provider's master switch pauses every feature, and only then", async () => {
    stubApi({ ...response, modules: response.modules.map((m) => ({ ...m, features: m.features.map((f) => ({ ...f, enabled: false, value: false, reason: "DISABLED" as const, detail: "MASTER_SWITCH" })) })) });
    const paused = renderPage();
    expect(await screen.findByRole("alert")).toHaveTextContent("Every feature is paused by your provider right now");
    paused.unmount();
    stubApi();
    renderPage();
    await screen.findByRole("switch", { name: "Beta Thing: off" });
    expect(screen.queryByText(/paused by your provider/)).not.toBeInTheDocument();
  });

  it("enables without asking", async () => {
    const puts = stubApi();
    const { user } = renderPage();
    await user.click(await screen.findByRole("switch", { name: "Beta Thing: off" }));
    await vi.waitFor(() => expect(puts).toHaveLength(1), { timeout: 10_000 });
    expect(puts[0]!.body).toEqual({ enabled: true });
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("shows a feature's description on its switch when it gets keyboard focus", async () => {
    stubApi();
    // jsdom has no ResizeObserver; the tooltip's positioning only needs it to exist.
    vi.stubGlobal("ResizeObserver", class { observe() {} unobserve() {} disconnect() {} });
    const { user } = renderPage();
    const sw = await screen.findByRole("switch", { name: "Beta Thing: off" });
    while (document.activeElement !== sw) await user.tab();
    expect(await screen.findByRole("tooltip")).toHaveTextContent("Early access to the new reports");
  });

  it("filters by search and module", async () => {
    stubApi();
    const { user } = renderPage();
    await screen.findByRole("region", { name: /Finance/ });
    await user.type(screen.getByLabelText("Search features"), "excel");
    expect(screen.getByText("Excel Export")).toBeInTheDocument();
    expect(screen.queryByText("Beta Thing")).not.toBeInTheDocument();
    await user.clear(screen.getByLabelText("Search features"));
    await user.selectOptions(screen.getByLabelText("Module"), "STR");
    expect(screen.queryByRole("region", { name: /Finance/ })).not.toBeInTheDocument();
  });
});
