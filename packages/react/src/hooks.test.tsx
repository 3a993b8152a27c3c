import { createClient, type RemoteClient } from "@ensign/sdk";
import { act, cleanup, render, screen } from "@testing-library/react";
import { Profiler, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, signToken, startFakeEnsign, type FakeEnsign } from "../../sdk/test/fake-ensign";
import { portalSnapshot, setTenantFeature } from "../../sdk/test/snapshots";
import { waitFor } from "../../sdk/test/wait";
import { Feature } from "./feature";
import { useFlag, useFlags, useFlagsStatus } from "./hooks";
import { EnsignProvider } from "./provider";

let fake: FakeEnsign;
let client: RemoteClient;
beforeEach(async () => {
  fake = await startFakeEnsign(portalSnapshot());
});
afterEach(async () => {
  cleanup();
  client?.close();
  await fake.close();
});

function producerClient(tenantKey: string) {
  const contextToken = signToken({ sub: `owner@${tenantKey}`, tenantKey, exp: Math.floor(Date.now() / 1000) + 600 });
  client = createClient({ url: fake.url, clientKey: CLIENT_KEY, contextToken, streamTransport: "fetch" });
  return client;
}

const renders: Record<string, number> = {};
const counted = (id: string, children: ReactNode) => (
  <Profiler id={id} onRender={() => (renders[id] = (renders[id] ?? 0) + 1)}>
    {children}
  </Profiler>
);

function NavItem({ flag, label }: { flag: string; label: string }) {
  return useFlag(flag, false) ? <li>{label}</li> : null;
}

function Status() {
  const { status } = useFlagsStatus();
  return <p data-testid="status">{status}</p>;
}

describe("@ensign/react", () => {
  it("re-renders only the readers of the flag that changed", async () => {
    for (const key of Object.keys(renders)) delete renders[key];
    render(
      <EnsignProvider client={producerClient("tucson-theatre-works")}>
        {counted("kb", <NavItem flag="knowledge_base_enabled" label="Knowledge Base" />)}
        {counted("ai", <NavItem flag="ai_agents_enabled" label="AI Assistant" />)}
        {counted("services", <NavItem flag="additional_services_enabled" label="Additional Services" />)}
      </EnsignProvider>,
    );
    await screen.findByText("AI Assistant", {}, { timeout: 10_000 });
    await waitFor(() => fake.streams === 1, "the stream");
    const before = { ...renders };
    await act(async () => {
      fake.publish((s) => setTenantFeature(s, "knowledge_base_enabled", "tucson-theatre-works", true));
      await waitFor(() => screen.queryByText("Knowledge Base"), "the Knowledge Base item");
    });
    expect(renders.kb).toBe(before.kb! + 1);
    expect(renders.ai).toBe(before.ai);
    expect(renders.services).toBe(before.services);
  });

  it("reports loading, then ready, without Suspense; Feature shows fallback then children", async () => {
    fake.delayMs = 150;
    render(
      <EnsignProvider client={producerClient("phoenix-improv-collective")}>
        <Status />
        <Feature flag="additional_services_enabled" loading={<span>checking…</span>} fallback={<span>not for you</span>}>
          <span>Additional Services</span>
        </Feature>
        <Feature flag="ai_agents_enabled" fallback={<span>no assistant</span>}>
          <span>AI Assistant</span>
        </Feature>
      </EnsignProvider>,
    );
    expect(screen.getByTestId("status").textContent).toBe("loading");
    expect(screen.getByText("checking…")).toBeTruthy();
    expect(screen.getByText("no assistant")).toBeTruthy();
    await screen.findByText("Additional Services", {}, { timeout: 10_000 });
    expect(screen.getByTestId("status").textContent).toBe("ready");
    expect(screen.getByText("no assistant")).toBeTruthy();
  });

  it("fails open to the defaults and reports the error state when Ensign is down", async () => {
    fake.failWith = 503;
    const c = producerClient("tucson-theatre-works");
    c.on("error", () => {});
    function Page() {
      const theme = useFlag("checkout_theme", "classic");
      return <p data-testid="theme">{String(theme)}</p>;
    }
    render(
      <EnsignProvider client={c}>
        <Status />
        <Page />
      </EnsignProvider>,
    );
    await waitFor(() => screen.getByTestId("status").textContent === "error", "the error state");
    expect(screen.getByTestId("theme").textContent).toBe("classic");
  });

  it("useFlags gives every value; a window focus refreshes", async () => {
    function All() {
      return <pre data-testid="all">{JSON.stringify(useFlags())}</pre>;
    }
    const seen = () => JSON.parse(screen.getByTestId("all").textContent ?? "{}") as Record<string, unknown>;
    render(
      <EnsignProvider client={producerClient("arizona-comedy")}>
        <All />
      </EnsignProvider>,
    );
    await waitFor(() => seen().checkout_theme === "modern", "the flags");
    expect(seen().ai_agents_enabled).toBe(false);
    fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "arizona-comedy", true), { notify: false });
    await act(async () => {
      window.dispatchEvent(new Event("focus"));
      await waitFor(() => seen().ai_agents_enabled === true, "the refreshed value");
    });
  });
});
