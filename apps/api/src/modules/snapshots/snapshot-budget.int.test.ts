import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";
import { openStream } from "../../../test/helpers/sse";

describe("snapshots within a memory budget", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    // A budget far below two of these snapshots: every load beyond the first evicts.
    t = await createTestApp({ config: { SNAPSHOT_MEMORY_BUDGET: "2kB" } });
    ws = await createWorkspace(t.db);
    for (const [i, env] of ws.environments.entries()) {
      // Each environment answers differently, so a wrong or missing snapshot shows.
      await createFlag(t.db, ws.id, { key: `only_in_${env.key}`, states: { [env.id]: { enabled: true } } });
      for (let n = 0; n < 3; n++) {
        await createFlag(t.db, ws.id, { key: `padding_${i}_${n}`, states: { [env.id]: { enabled: i % 2 === 0 } } });
      }
      keys[env.id] = (await createApiKey(t.db, ws.id, env.id, "server")).secret;
    }
  });
  afterAll(() => t.close());

  const store = () => t.app.services.snapshots;
  const valueIn = async (environmentId: string, flag: string) => {
    const res = await t.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags/${flag}`, headers: apiKeyHeaders(keys[environmentId]!), payload: { context: { targetingKey: "u1" } } });
    return res.json() as { value: unknown; reason: string };
  };

  it("evicts the least recently used environment and reloads it, still correct, when asked again", async () => {
    const [dev, staging, prod] = ws.environments as [(typeof ws.environments)[number], (typeof ws.environments)[number], (typeof ws.environments)[number]];
    const entry = await store().get(dev.id);
    expect(entry.bytes).toBeGreaterThan(1_024);

    await store().get(staging.id);
    // One snapshot is larger than half the budget: loading staging let development go.
    expect(store().peek(dev.id)).toBeUndefined();
    expect(store().peek(staging.id)).toBeDefined();

    // The budget holds at most one of them now; the one just loaded always stays.
    await store().get(prod.id);
    expect(store().peek(staging.id)).toBeUndefined();
    expect(store().peek(prod.id)).toBeDefined();
    const stats = store().cacheStats();
    expect(stats.evictions).toBeGreaterThanOrEqual(2);
    expect(stats.entries).toBe(1);
    expect(stats.residentBytes).toBe(store().peek(prod.id)!.bytes);

    // The evicted environment answers exactly as before, through a fresh load.
    const misses = store().cacheStats().misses;
    expect(await valueIn(dev.id, `only_in_${dev.key}`)).toMatchObject({ value: true });
    expect(await valueIn(dev.id, "padding_0_1")).toMatchObject({ value: true });
    expect(await valueIn(dev.id, `only_in_${prod.key}`)).toMatchObject({ value: false });
    expect(store().cacheStats().misses).toBe(misses + 1);
    expect(store().peek(dev.id)).toBeDefined();
    expect(store().peek(prod.id)).toBeUndefined();
  });

  it("lets the least recently used go first, keeping one just asked for", async () => {
    const [dev, staging, prod] = ws.environments as [(typeof ws.environments)[number], (typeof ws.environments)[number], (typeof ws.environments)[number]];
    // A second app whose budget holds two of these snapshots but not three.
    const size = (await store().get(dev.id)).bytes;
    const roomy = await createTestApp({ database: t.database, config: { SNAPSHOT_MEMORY_BUDGET: String(Math.floor(size * 2.5)) } });
    try {
      const s = roomy.app.services.snapshots;
      await s.get(dev.id);
      await s.get(staging.id);
      // Development is used again: staging is now the least recently used.
      expect(s.peek(dev.id)).toBeDefined();
      await s.get(prod.id);
      expect(s.peek(staging.id)).toBeUndefined();
      expect(s.peek(dev.id)).toBeDefined();
      expect(s.peek(prod.id)).toBeDefined();
    } finally {
      await roomy.close();
    }
  });

  it("keeps an environment with open SDK streams whatever the budget", async () => {
    const [dev, staging] = ws.environments as [(typeof ws.environments)[number], (typeof ws.environments)[number]];
    await store().get(dev.id);
    const unpin = store().pin(dev.id);
    await store().get(staging.id);
    expect(store().peek(dev.id)).toBeDefined();
    unpin();
    await store().get(ws.environments[2]!.id);
    expect(store().peek(dev.id)).toBeUndefined();
  });

  it("keeps an environment whose SDK stream is open on this replica, and lets it go when the stream ends", async () => {
    const [dev, staging, prod] = ws.environments as [(typeof ws.environments)[number], (typeof ws.environments)[number], (typeof ws.environments)[number]];
    const url = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const stream = await openStream(`${url}/v1/stream`, apiKeyHeaders(keys[dev.id]!));
    try {
      await stream.next((e) => e.event === "change");
      await store().get(staging.id);
      await store().get(prod.id);
      expect(store().peek(dev.id)).toBeDefined();
    } finally {
      stream.close();
      await stream.ended;
    }
    // The stream has ended (the server hears the close): the next load may evict it.
    const released = Date.now();
    while (store().peek(dev.id) && Date.now() - released < 10_000) {
      await store().get(staging.id);
      await store().get(prod.id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(store().peek(dev.id)).toBeUndefined();
  });

  it("publishes hits, misses, evictions and resident bytes as metrics", async () => {
    const text = await t.app.services.metrics.registry.metrics();
    expect(text).toMatch(/ensign_snapshot_cache_hits_total [1-9]/);
    expect(text).toMatch(/ensign_snapshot_cache_misses_total [1-9]/);
    expect(text).toMatch(/ensign_snapshot_cache_evictions_total [1-9]/);
    expect(text).toMatch(/ensign_snapshot_cache_resident_bytes [1-9]/);
    expect(text).toContain("ensign_snapshot_cache_budget_bytes 2048");
  });
});
