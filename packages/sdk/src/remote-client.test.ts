import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, signToken, startFakeEnsign, type FakeEnsign } from "../test/fake-ensign";
import { portalSnapshot, setTenantFeature } from "../test/snapshots";
import { sleep, waitFor } from "../test/wait";
import { createClient, type RemoteClientOptions } from "./remote-client";
import type { EnsignError } from "./types";

type PortalFlags = {
  knowledge_base_enabled: boolean;
  ai_agents_enabled: boolean;
  additional_services_enabled: boolean;
  checkout_theme: "classic" | "modern";
  max_seats: number;
  banner: { text: string; color: string } | null;
};

let fake: FakeEnsign;
const clients: { close(): void }[] = [];

beforeEach(async () => {
  fake = await startFakeEnsign(portalSnapshot());
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await fake.close();
});

function producerToken(tenantKey: string, expiresInS = 600) {
  return signToken({ sub: `owner@${tenantKey}`, tenantKey, exp: Math.floor(Date.now() / 1000) + expiresInS });
}

function client(options: Partial<RemoteClientOptions<PortalFlags>> = {}) {
  const created = createClient<PortalFlags>({ url: fake.url, clientKey: CLIENT_KEY, contextToken: producerToken("tucson-theatre-works"), streamTransport: "fetch", ...options });
  clients.push(created);
  const errors: EnsignError[] = [];
  created.on("error", (error) => errors.push(error));
  return { client: created, errors };
}

const flagRequests = () => fake.requests.filter((r) => r.path.startsWith("/v1/flags"));

describe("remote client", () => {
  it("answers each getter from one bulk request for the token's producer", async () => {
    const { client: c } = client({ stream: false });
    expect(c.status).toBe("loading");
    await c.start();
    expect(c.status).toBe("ready");
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true);
    expect(c.getBoolean("knowledge_base_enabled", true)).toBe(false);
    expect(c.getString("checkout_theme", "classic")).toBe("modern");
    expect(c.getJson("banner", null)).toEqual({ text: "Half price", color: "red" });
    expect(c.getDetails("ai_agents_enabled", false)).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(flagRequests()).toHaveLength(1);
    expect(flagRequests()[0]!.headers["x-ensign-context"]).toBeTruthy();
  });

  it("returns the caller's default for unknown flags and type mismatches, and reports each once", async () => {
    const { client: c, errors } = client({ stream: false });
    await c.start();
    // @ts-expect-error an unknown key is a type error with a typed flag map
    expect(c.getBoolean("no_such_flag", true)).toBe(true);
    // @ts-expect-error checkout_theme is a string flag
    expect(c.getBoolean("checkout_theme", false)).toBe(false);
    expect(c.getDetails("max_seats", "x" as never)).toMatchObject({ value: "x", reason: "ERROR", errorCode: "TYPE_MISMATCH" });
    // @ts-expect-error unknown
    c.getBoolean("no_such_flag", true);
    expect(errors.map((e) => e.code)).toEqual(["FLAG_NOT_FOUND", "TYPE_MISMATCH", "TYPE_MISMATCH"]);
  });

  it("revalidates with the ETag and keeps values (and object identity) on 304", async () => {
    const { client: c } = client({ stream: false });
    await c.start();
    const banner = c.getJson("banner", null);
    const changes: string[][] = [];
    c.on("change", (keys) => changes.push(keys));
    await c.refresh();
    const [first, second] = flagRequests();
    expect(first!.headers["if-none-match"]).toBeUndefined();
    expect(second!.headers["if-none-match"]).toMatch(/^"1-/);
    expect(c.getJson("banner", null)).toBe(banner);
    expect(changes).toEqual([]);
  });

  it("serves from memory within the TTL and refreshes in the background after it", async () => {
    const { client: c } = client({ stream: false, cacheTtlMs: 150 });
    await c.start();
    for (let i = 0; i < 50; i++) c.getBoolean("ai_agents_enabled", false);
    expect(flagRequests()).toHaveLength(1);
    fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "tucson-theatre-works", false), { notify: false });
    await sleep(200);
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true); // stale value now, refresh started
    await waitFor(() => c.getBoolean("ai_agents_enabled", true) === false, "the refreshed value");
    expect(flagRequests()).toHaveLength(2);
  });

  it("falls back to the defaults when the API is down, and recovers", async () => {
    fake.failWith = 503;
    const { client: c, errors } = client({ stream: false });
    await c.start();
    expect(c.status).toBe("error");
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(false);
    expect(c.getString("checkout_theme", "classic")).toBe("classic");
    expect(errors[0]).toMatchObject({ code: "HTTP", details: { status: 503 } });
    fake.failWith = undefined;
    await c.refresh();
    expect(c.status).toBe("ready");
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true);
  });

  it("gives up on a slow API after the timeout and serves defaults", async () => {
    // The API would answer after 2 s; the client gives up after 100 ms, so the answer it got is the timeout's.
    fake.delayMs = 2_000;
    const { client: c, errors } = client({ stream: false, timeoutMs: 100 });
    await c.start();
    expect(errors[0]?.code).toBe("TIMEOUT");
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(false);
  });

  it("treats a body that is not JSON, or not the contract's shape, as a failure", async () => {
    fake.sendBadJson = true;
    const { client: c, errors } = client({ stream: false });
    await c.start();
    expect(errors[0]?.code).toBe("BAD_RESPONSE");
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(false);
  });

  it("keeps the last known values when a later refresh fails", async () => {
    const { client: c } = client({ stream: false });
    await c.start();
    fake.failWith = 500;
    await c.refresh();
    expect(c.status).toBe("ready");
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true);
  });

  it("polls instead when the runtime cannot stream (no EventSource, a fetch without a readable body)", async () => {
    // React Native's fetch: a 200 whose body cannot be read as it arrives.
    let streamAttempts = 0;
    const noStreaming: RemoteClientOptions["fetch"] = async (input, init) => {
      if (!input.includes("/v1/stream")) return fetch(input, init);
      streamAttempts++;
      return new Response(null, { status: 200 });
    };
    const { client: c, errors } = client({ streamTransport: "auto", fetch: noStreaming, pollIntervalMs: 50, backoff: { initialMs: 10 } });
    await c.start();
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true);
    fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "tucson-theatre-works", false), { notify: false });
    await waitFor(() => c.getBoolean("ai_agents_enabled", true) === false, "the polled change");
    expect(streamAttempts).toBe(1);
    expect(errors.filter((e) => e.code === "STREAM")).toHaveLength(1);
    expect(flagRequests().some((r) => r.headers["if-none-match"] !== undefined)).toBe(true);
  });

  it("does not poll while the stream is connected", async () => {
    const { client: c } = client({ pollIntervalMs: 30 });
    await c.start();
    await waitFor(() => fake.streams === 1, "the stream to open");
    const before = flagRequests().length;
    await sleep(200);
    expect(flagRequests()).toHaveLength(before);
  });

  it("refreshes on a stream change event and wakes only the changed flag's subscribers", async () => {
    const { client: c } = client();
    await c.start();
    await waitFor(() => fake.streams === 1, "the stream to open");
    const woken: string[] = [];
    c.subscribe("ai_agents_enabled", () => woken.push("ai"));
    c.subscribe("knowledge_base_enabled", () => woken.push("kb"));
    c.on("change:additional_services_enabled", () => woken.push("services"));
    fake.publish((s) => setTenantFeature(s, "knowledge_base_enabled", "tucson-theatre-works", true));
    await waitFor(() => c.getBoolean("knowledge_base_enabled", false), "the pushed change");
    expect(woken).toEqual(["kb"]);
  });

  it("asks for a fresh context token when the API refuses an expired one", async () => {
    let minted = 0;
    const { client: c } = client({ stream: false, contextToken: () => producerToken("tucson-theatre-works", minted++ === 0 ? -60 : 600) });
    await c.start();
    expect(minted).toBe(2);
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true);
  });

  it("mints a fresh token when the stream is refused after its token expired", async () => {
    const minted: string[] = [];
    const { client: c } = client({ backoff: { initialMs: 20, jitter: 0 }, contextToken: () => (minted.push(producerToken("tucson-theatre-works", 600 + minted.length)), minted.at(-1)!) });
    await c.start();
    await waitFor(() => fake.streams === 1, "the stream");
    fake.revokedTokens.add(minted[0]!);
    fake.dropStreams();
    await waitFor(() => fake.streams === 1, "the stream back with a new token");
    expect(minted).toHaveLength(2);
    const streamTokens = fake.requests.filter((r) => r.path === "/v1/stream").map((r) => r.headers["x-ensign-context"]);
    expect(streamTokens).toEqual([minted[0], minted[1]]);
  });

  it("switches user with setContext and evaluates other contexts on demand", async () => {
    const { client: c } = client({ stream: false, contextToken: undefined, context: { targetingKey: "u1", tenantKey: "arizona-comedy" } });
    await c.start();
    expect(c.getBoolean("ai_agents_enabled", true)).toBe(false);
    const other = await c.evaluate("ai_agents_enabled", false, { targetingKey: "u2", tenantKey: "tucson-theatre-works" });
    expect(other.value).toBe(true);
    expect(c.getDetails("ai_agents_enabled", false, { targetingKey: "u2" })).toMatchObject({ value: false, errorCode: "INVALID_CONTEXT" });
    await c.setContext({ targetingKey: "u2", tenantKey: "tucson-theatre-works" });
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true);
  });

  it("serves bootstrapped values without touching the network until started", async () => {
    const { client: c } = client({ bootstrap: { ai_agents_enabled: true, checkout_theme: "modern" } });
    expect(c.status).toBe("ready");
    expect(c.getBoolean("ai_agents_enabled", false)).toBe(true);
    expect(c.getAll()).toEqual({ ai_agents_enabled: true, checkout_theme: "modern" });
    await sleep(20);
    expect(fake.requests).toHaveLength(0);
  });

  it("never lets a throwing listener break the client", async () => {
    const { client: c, errors } = client();
    await c.start();
    await waitFor(() => fake.streams === 1, "the stream to open");
    c.subscribe("knowledge_base_enabled", () => {
      throw new Error("application bug");
    });
    fake.publish((s) => setTenantFeature(s, "knowledge_base_enabled", "tucson-theatre-works", true));
    await waitFor(() => c.getBoolean("knowledge_base_enabled", false), "the pushed change");
    expect(errors.some((e) => e.message.includes("listener threw"))).toBe(true);
  });
});
