import type { FlagListItem } from "@ensign/contracts/flags";
import { screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Toaster } from "../../../components/ui/toaster";
import { renderUi } from "../../../testing/render";
import { testScope, WithScope } from "../../../testing/scope";
import { FlagsPage } from "./flags-page";

afterEach(() => vi.unstubAllGlobals());

const flag = (env: string, enabled: boolean, version: number): FlagListItem => ({
  id: "f1", key: "checkout", name: "Checkout", description: "", type: "boolean", module: null, tags: [], isBeta: false, onVariant: "on", offVariant: "off",
  tenantManageable: false, trackAnalytics: true, feedbackUrl: null, dependsOn: [], lifecycle: "temporary", owner: null, deprecatedAt: null, archivedAt: null, version: 1,
  createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z",
  environments: [{ environment: env, enabled, status: enabled ? "on" : "off", rollout: { summary: "on", percentage: 100 }, ruleCount: 0, overrideCount: 0, userOverrideCount: 0, version, updatedAt: "2026-01-01T00:00:00Z" }],
});

/** A fake API: the flags list as `state` says, and toggles that move it on with a new version. */
function stubApi(env: string) {
  const state = { enabled: true, version: 4 };
  const puts: { url: string; body: unknown; ifMatch?: string }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      const json = (body: object) => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
      if (init?.method === "PUT") {
        const body = JSON.parse(init.body as string) as { enabled: boolean };
        puts.push({ url, body, ifMatch: (init.headers as Record<string, string>)["if-match"] });
        state.enabled = body.enabled;
        state.version += 1;
        return json({ flag: "checkout", environment: env, enabled: state.enabled, fallthrough: { variant: "on" }, tenantAllow: [], tenantDeny: [], rules: [], version: state.version, updatedAt: "2026-01-01T00:00:00Z" });
      }
      if (url.includes("/flags?") || url.endsWith("/flags")) return json({ items: [flag(env, state.enabled, state.version)], total: 1, page: 1, pageSize: 25 });
      return json({ items: [], total: 0, page: 1, pageSize: 50 });
    }),
  );
  return { puts, state };
}

function renderIn(env: "production" | "staging") {
  const scope = testScope("editor");
  const environment = scope.environments.find((e) => e.key === env)!;
  const api = stubApi(env);
  const impact = vi.fn(({ state }: { state: { enabled?: boolean } }) => <p>Blast radius: turns it {state.enabled ? "on" : "off"} for 3 tenants</p>);
  const rendered = renderUi(
    <MemoryRouter>
      <WithScope scope={{ ...scope, environment, env }}>
        <FlagsPage impact={impact} />
        <Toaster />
      </WithScope>
    </MemoryRouter>,
  );
  return { ...rendered, ...api, impact };
}

describe("FlagsPage: safe toggles", () => {
  it("asks first in production, showing who it affects; cancelling sends nothing and leaves the switch as it was", async () => {
    const { user, puts } = renderIn("production");
    const toggle = await screen.findByRole("switch", { name: /Checkout in production: enabled/ });
    await user.click(toggle);
    const dialog = screen.getByRole("dialog", { name: "Turn Checkout off in Production?" });
    expect(dialog).toHaveTextContent("Blast radius: turns it off for 3 tenants");
    expect(dialog).toHaveTextContent("Production is a production environment");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(puts).toHaveLength(0);
    expect(screen.getByRole("switch", { name: /Checkout in production/ })).toHaveAttribute("aria-checked", "true");
  });

  it("applies in production once confirmed, with the state's version", async () => {
    const { user, puts } = renderIn("production");
    await user.click(await screen.findByRole("switch", { name: /Checkout in production: enabled/ }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Turn off" }));
    await vi.waitFor(() => expect(puts).toEqual([{ url: "/v1/workspaces/demo/flags/checkout/environments/production/enabled", body: { enabled: false }, ifMatch: '"4"' }]));
    expect(await screen.findByRole("switch", { name: "Checkout in production: disabled" })).toHaveAttribute("aria-checked", "false");
  });

  it("applies at once elsewhere, and Undo puts the previous state back with the new version", async () => {
    const { user, puts, impact } = renderIn("staging");
    await user.click(await screen.findByRole("switch", { name: /Checkout in staging: enabled/ }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(impact).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0]).toMatchObject({ body: { enabled: false }, ifMatch: '"4"' });
    await user.click(await screen.findByRole("button", { name: "Undo" }));
    await vi.waitFor(() => expect(puts).toHaveLength(2));
    expect(puts[1]).toEqual({ url: "/v1/workspaces/demo/flags/checkout/environments/staging/enabled", body: { enabled: true }, ifMatch: '"5"' });
    expect(await screen.findByRole("switch", { name: /Checkout in staging: enabled/ })).toHaveAttribute("aria-checked", "true");
  });
});
