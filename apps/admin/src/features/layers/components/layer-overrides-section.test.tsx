import type { Role } from "@ensign/contracts/auth";
import type { LayerOverrideResponse, LayerResponse } from "@ensign/contracts/layers";
import { screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { LayerOverridesSection } from "./layer-overrides-section";

afterEach(() => vi.unstubAllGlobals());

const layer: LayerResponse = {
  id: "l1",
  key: "platform",
  name: "Platform",
  description: "",
  attribute: "platform",
  values: ["meta", "tiktok", "snapchat"],
  overrideCount: 2,
  version: 1,
  createdAt: "2026-12-01T00:00:00Z",
  updatedAt: "2026-12-01T00:00:00Z",
};
const override = (value: string, variant: string, locked: boolean, version = 1): LayerOverrideResponse => ({
  id: `o-${value}`,
  flag: "campaigns",
  environment: "production",
  layer: "platform",
  value,
  variant,
  locked,
  expiresAt: null,
  isExpired: false,
  updatedBy: "ops@acme.io",
  version,
  createdAt: "2026-12-01T00:00:00Z",
  updatedAt: "2026-12-01T00:00:00Z",
});
const flag = { key: "campaigns", variants: [{ key: "on" }, { key: "off" }], onVariant: "on", offVariant: "off" };

/** Answers the layer's overrides; records writes with their If-Match. */
function renderSection(role: Role) {
  const writes: { method: string; url: string; body: unknown; ifMatch: string | null }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === "PUT" || init?.method === "DELETE") {
        writes.push({ method: init.method, url, body: init.body ? JSON.parse(init.body as string) : null, ifMatch: new Headers(init.headers).get("if-match") });
        return init.method === "PUT" ? new Response(JSON.stringify(override("tiktok", "off", false, 3)), { status: 200 }) : new Response(null, { status: 204 });
      }
      return new Response(JSON.stringify({ items: [override("tiktok", "on", false, 2), override("snapchat", "off", true)] }), { status: 200 });
    }),
  );
  const rendered = renderUi(
    <WithScope scope={testScope(role)}>
      <LayerOverridesSection flag={flag} layer={layer} layers={[layer]} order={["user", "platform", "tenant", "rules"]} />
    </WithScope>,
  );
  return { ...rendered, writes };
}

describe("LayerOverridesSection: a flag's overrides for one layer", () => {
  it("lists every known value with its override, and says the order", async () => {
    renderSection("viewer");
    expect(await screen.findByTestId("layer-value-tiktok")).toHaveTextContent("on");
    expect(screen.getByTestId("layer-value-meta")).toHaveTextContent("no override");
    expect(screen.getByTestId("layer-value-snapchat")).toHaveTextContent("locked");
    expect(screen.getByText(/Order: user > Platform > tenant > rules > default/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Override" })).not.toBeInTheDocument();
  });

  it("replaces an override with the version read, and clears one", async () => {
    const { user, writes } = renderSection("owner");
    const tiktok = await screen.findByTestId("layer-value-tiktok");
    await user.selectOptions(within(tiktok).getByLabelText("Variant for tiktok"), "off");
    await user.click(within(tiktok).getByRole("button", { name: "Save" }));
    await vi.waitFor(() => expect(writes).toHaveLength(1));
    expect(writes[0]).toEqual({
      method: "PUT",
      url: "/v1/workspaces/demo/flags/campaigns/environments/production/layer-overrides/platform/tiktok",
      body: { variant: "off", locked: false, expiresAt: null },
      ifMatch: '"2"',
    });
    await user.click(within(tiktok).getByRole("button", { name: "Clear the override for tiktok" }));
    await vi.waitFor(() => expect(writes).toHaveLength(2));
    expect(writes[1]).toMatchObject({ method: "DELETE", url: "/v1/workspaces/demo/flags/campaigns/environments/production/layer-overrides/platform/tiktok" });
  });

  it("keeps an editor away from locks: no locking, and a locked override stays as it is", async () => {
    renderSection("editor");
    const snapchat = await screen.findByTestId("layer-value-snapchat");
    expect(within(snapchat).getByRole("button", { name: "Save" })).toBeDisabled();
    expect(within(snapchat).getByRole("button", { name: "Clear the override for snapchat" })).toBeDisabled();
    expect(within(screen.getByTestId("layer-value-meta")).getByLabelText("Lock")).toBeDisabled();
  });
});
