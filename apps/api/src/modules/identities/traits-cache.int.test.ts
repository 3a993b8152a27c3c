import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/database";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";
import { startRedis } from "../../../test/helpers/outages";
import { openStream } from "../../../test/helpers/sse";
import { waitUntil } from "../../../test/helpers/wait";

/** The safety-net poll, far beyond any wait here: what reaches the other replica came by message. */
const NO_ROUTINE_POLL = { SNAPSHOT_POLL_INTERVAL: "1h" };

describe("identity traits outside the snapshot, across replicas", () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let server: string;
  const cachePrefix = `ensign-test:${randomBytes(4).toString("hex")}:`;
  const opened: TestApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await createTestApp({ database, cachePrefix, config: NO_ROUTINE_POLL });
    b = await createTestApp({ database, cachePrefix, config: NO_ROUTINE_POLL });
    ws = await createWorkspace(a.db);
    prodId = ws.environments[2]!.id;
    await createFlag(a.db, ws.id, {
      key: "advanced_reports",
      states: {
        [prodId]: {
          enabled: true,
          fallthrough: { variant: "off" },
          rules: [{ conditions: [{ attribute: "stage", operator: "equals", values: ["onboarded"] }], serve: { variant: "on" } }],
        },
      },
    });
    server = (await createApiKey(a.db, ws.id, prodId, "server")).secret;
    // The environment's first identity, written directly: the snapshot then knows that traits exist.
    await a.db.prisma.identity.create({ data: { workspaceId: ws.id, environmentId: prodId, key: "seeded", traits: { stage: "signup" } } });
  });
  afterAll(async () => {
    for (const app of opened) await app.close();
    await a.close();
    await b.close();
    await database.drop();
  });

  const evaluate = async (app: TestApp, targetingKey: string, extra: object = {}) => {
    const res = await app.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/advanced_reports",
      headers: apiKeyHeaders(server),
      payload: { context: { targetingKey, ...extra } },
    });
    expect(res.statusCode).toBe(200);
    return res.json().value as boolean;
  };
  const putTraits = (app: TestApp, key: string, traits: object) =>
    app.app.inject({ method: "PUT", url: `/v1/identities/${key}/traits`, headers: apiKeyHeaders(server), payload: { traits } });

  it("keeps identities out of /v1/config and the snapshot's Redis copy", async () => {
    expect((await putTraits(a, "ana@example.com", { stage: "onboarded", email: "ana@example.com" })).statusCode).toBe(200);
    const config = await a.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) });
    expect(config.statusCode).toBe(200);
    expect(config.json().identities).toEqual([]);
    expect(config.body).not.toContain("ana@example.com");
    const entry = a.app.services.snapshots.peek(prodId)!;
    const copy = await a.cache.get(`snapshot:${prodId}:${entry.version}`);
    expect(copy).toContain("advanced_reports");
    expect(copy).not.toContain("ana@example.com");
    // Evaluation still sees the stored traits.
    expect(await evaluate(a, "ana@example.com")).toBe(true);
  });

  it("serves a trait update made through replica A from replica B, by message, without reading PostgreSQL", async () => {
    // B holds the identity's current traits in memory.
    expect(await evaluate(b, "seeded")).toBe(false);
    expect(b.app.services.traits.peek(prodId, "seeded")).toEqual({ stage: "signup" });
    const reads = b.app.services.traits.stats().databaseReads;
    const version = b.app.services.snapshots.peek(prodId)!.version;

    for (const stage of ["onboarded", "signup", "onboarded"]) {
      expect((await putTraits(a, "seeded", { stage })).statusCode).toBe(200);
      await waitUntil(async () => (await evaluate(b, "seeded")) === (stage === "onboarded"), undefined, 2);
    }
    expect(b.app.services.traits.stats().databaseReads).toBe(reads);
    // Traits writes leave the snapshot alone: no replica reloads it.
    expect(b.app.services.snapshots.peek(prodId)!.version).toBe(version);
    expect(JSON.parse((await a.cache.get(`traits:${prodId}:seeded`))!)).toEqual({ t: { stage: "onboarded" } });
  });

  it("reads a cold identity from the shared Redis copy, not PostgreSQL, and remembers keys without one", async () => {
    const c = await createTestApp({ database, cachePrefix, config: NO_ROUTINE_POLL });
    opened.push(c);
    expect(await evaluate(c, "seeded")).toBe(true);
    expect(c.app.services.traits.stats()).toMatchObject({ redisHits: 1, databaseReads: 0, entries: 1 });
    // A key without an identity is read once, then known in Redis for every replica.
    expect(await evaluate(c, "nobody")).toBe(false);
    expect(c.app.services.traits.stats().databaseReads).toBe(1);
    expect(await evaluate(b, "nobody")).toBe(false);
    expect(b.app.services.traits.peek(prodId, "nobody")).toBeNull();
    expect(await evaluate(c, "nobody")).toBe(false);
    expect(c.app.services.traits.stats().databaseReads).toBe(1);
  });

  it("holds at most the configured number of identities in process", async () => {
    const small = await createTestApp({ database, cachePrefix, config: { ...NO_ROUTINE_POLL, IDENTITY_CACHE_ENTRIES: "2" } });
    opened.push(small);
    for (const key of ["seeded", "ana@example.com", "nobody", "other"]) await evaluate(small, key);
    const stats = small.app.services.traits.stats();
    expect(stats.entries).toBe(2);
    expect(stats.evictions).toBe(2);
    // The least recently used went first; evicted ones are read again, correctly.
    expect(small.app.services.traits.peek(prodId, "seeded")).toBeUndefined();
    expect(await evaluate(small, "seeded")).toBe(true);
  });

  it("tells server keys' streams which identity changed, never client keys' streams", async () => {
    const url = await b.app.listen({ port: 0, host: "127.0.0.1" });
    const clientKey = (await createApiKey(a.db, ws.id, prodId, "client")).secret;
    const serverStream = await openStream(`${url}/v1/stream`, apiKeyHeaders(server));
    const clientStream = await openStream(`${url}/v1/stream`, apiKeyHeaders(clientKey));
    try {
      await serverStream.next((e) => e.event === "change");
      await clientStream.next((e) => e.event === "change");
      expect((await putTraits(a, "streamed@example.com", { stage: "signup" })).statusCode).toBe(200);
      const event = await serverStream.next((e) => e.event === "identity");
      expect(JSON.parse(event.data!)).toEqual({ environment: "production", key: "streamed@example.com" });
      // The hub writes to every stream of the environment in one pass: the client's would have it by now.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(clientStream.events.some((e) => e.event === "identity" || e.data?.includes("streamed@example.com"))).toBe(false);
    } finally {
      serverStream.close();
      clientStream.close();
    }
  });

  it("falls back to PostgreSQL while Redis is down, and changes reach the other replica within seconds", async () => {
    const redis = await startRedis();
    const prefix = `ensign-test:${randomBytes(4).toString("hex")}:`;
    const d = await createTestApp({ database, redisUrl: redis.url, cachePrefix: prefix, config: NO_ROUTINE_POLL });
    const e = await createTestApp({ database, redisUrl: redis.url, cachePrefix: prefix, config: NO_ROUTINE_POLL });
    opened.push(d, e);
    try {
      expect(await evaluate(e, "seeded")).toBe(true);
      await redis.stop();
      await waitUntil(() => !d.app.services.watcher.health().cache && !e.app.services.watcher.health().cache, undefined, 50);

      // A cold identity: Redis cannot answer, PostgreSQL does.
      await d.db.prisma.identity.create({ data: { workspaceId: ws.id, environmentId: prodId, key: "cold", traits: { stage: "onboarded" } } });
      const reads = d.app.services.traits.stats().databaseReads;
      expect(await evaluate(d, "cold")).toBe(true);
      expect(d.app.services.traits.stats().databaseReads).toBe(reads + 1);

      // A write through D cannot be announced; E reads PostgreSQL again once what it holds is a second old.
      expect((await putTraits(d, "seeded", { stage: "signup" })).statusCode).toBe(200);
      expect(await evaluate(d, "seeded")).toBe(false);
      await waitUntil(async () => (await evaluate(e, "seeded")) === false, undefined, 100);
    } finally {
      await redis.stop();
    }
  });
});
