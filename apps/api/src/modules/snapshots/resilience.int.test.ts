import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENVIRONMENT_CHANGED_CHANNEL } from "../../infra/changes";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/database";
import { apiKeyHeaders, createApiKey, createFlag, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";
import { startRedis, startTcpProxy } from "../../../test/helpers/outages";
import { waitUntil } from "../../../test/helpers/wait";

const POSTGRES_PORT = 5432;
/** The safety-net poll while Redis is up, far beyond any wait here: a change that arrives came by message, or by the outage's polling. */
const NO_ROUTINE_POLL = { SNAPSHOT_POLL_INTERVAL: "1h" };

describe("evaluation when Redis or PostgreSQL goes away", () => {
  let database: TestDatabase;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let client: string;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const setup = await createTestApp({ database });
    apps.push(setup);
    ws = await createWorkspace(setup.db);
    prodId = ws.environments[2]!.id;
    await createFlag(setup.db, ws.id, { key: "knowledge_base_enabled", states: { [prodId]: { enabled: false } } });
    client = (await createApiKey(setup.db, ws.id, prodId, "client")).secret;
  });
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await database.drop();
  });

  const evaluate = async (app: TestApp) => {
    const res = await app.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled",
      headers: apiKeyHeaders(client),
      payload: { context: { targetingKey: "u1" } },
    });
    expect(res.statusCode).toBe(200);
    return res.json().value as boolean;
  };
  const readiness = async (app: TestApp) => (await app.app.inject({ method: "GET", url: "/readyz" })).json();

  it("keeps serving while Redis is down, picks up writes by polling PostgreSQL, and resubscribes when Redis returns", async () => {
    const redis = await startRedis();
    const cachePrefix = `ensign-test:${randomBytes(4).toString("hex")}:`;
    const a = await createTestApp({ database, redisUrl: redis.url, cachePrefix, config: NO_ROUTINE_POLL });
    const b = await createTestApp({ database, redisUrl: redis.url, cachePrefix, config: NO_ROUTINE_POLL });
    apps.push(a, b);
    try {
      expect(await evaluate(b)).toBe(false);
      await redis.stop();

      // Every answer keeps coming from memory; a write through A reaches B by polling.
      await toggleFlag(a.app, a.db, ws.id, prodId, "knowledge_base_enabled", true);
      await waitUntil(async () => (await evaluate(b)) === true, undefined, 50);
      expect(await readiness(b)).toMatchObject({ status: "degraded", checks: { database: "up", cache: "down", snapshots: "loaded" } });

      // Redis comes back on the same port: the replicas reconnect and resubscribe by themselves.
      const again = await startRedis(redis.port);
      try {
        await waitUntil(async () => (await readiness(b)).status === "ready", undefined, 100);
        await waitUntil(() => b.app.services.watcher.health().cache, undefined, 50);
        // Both replicas have subscribed to the change channel again on the new Redis.
        const probe = new Redis(again.url);
        try {
          const subscribers = async () => ((await probe.pubsub("NUMSUB", `${cachePrefix}${ENVIRONMENT_CHANGED_CHANNEL}`)) as [string, number])[1];
          await waitUntil(async () => (await subscribers()) === 2, undefined, 50);
        } finally {
          probe.disconnect();
        }
        // With Redis up, only the change message (resubscribed) can bring this write to B: the routine poll is an hour away.
        await toggleFlag(a.app, a.db, ws.id, prodId, "knowledge_base_enabled", false);
        await waitUntil(async () => (await evaluate(b)) === false, undefined, 5);
      } finally {
        await a.close();
        await b.close();
        await again.stop();
      }
    } finally {
      await redis.stop();
    }
  });

  it("keeps answering from memory while PostgreSQL is unreachable, and a replica started then serves Redis's copy", async () => {
    const proxy = await startTcpProxy(POSTGRES_PORT);
    const cachePrefix = `ensign-test:${randomBytes(4).toString("hex")}:`;
    const databaseUrl = database.url.replace(":5432/", `:${proxy.port}/`);
    const c = await createTestApp({ database, databaseUrl, cachePrefix });
    apps.push(c);
    try {
      const expected = await evaluate(c);
      await proxy.cut();
      for (let i = 0; i < 20; i++) expect(await evaluate(c)).toBe(expected);
      const bulk = await c.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(client), payload: { context: {} } });
      expect(bulk.statusCode).toBe(200);
      expect(await readiness(c)).toMatchObject({ status: "degraded", checks: { database: "down", cache: "up", snapshots: "loaded" } });

      // A new replica while PostgreSQL is still down: the key and the snapshot come from Redis.
      const d = await createTestApp({ database, databaseUrl, cachePrefix });
      apps.push(d);
      expect(await evaluate(d)).toBe(expected);
      expect(d.app.services.snapshots.peek(prodId)).toMatchObject({ source: "redis" });
      // An unknown key cannot be checked now: 503, never a 500.
      const unknown = await d.app.inject({
        method: "POST",
        url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled",
        headers: apiKeyHeaders(`ens_cli_${"C".repeat(43)}`),
        payload: { context: {} },
      });
      expect([401, 503]).toContain(unknown.statusCode);
      await d.close();
    } finally {
      await proxy.restore();
      await c.close();
      proxy.close();
    }
  });
});
