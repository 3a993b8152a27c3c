import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ifMatch } from "../../../test/helpers/admin";
import { createReplicas, createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { openStream } from "../../../test/helpers/sse";

async function within(ms: number, check: () => boolean | Promise<boolean>, what: string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Deleting an environment through replica A: replica B (same PostgreSQL and Redis) drops the
 * environment's snapshot, ends its SDK streams and refuses its keys; replica C, which shares the
 * database but hears none of the messages, catches up by polling.
 */
describe("deleting an environment, seen from other replicas", () => {
  let replicas: Awaited<ReturnType<typeof createReplicas>>;
  let a: TestApp;
  let b: TestApp;
  let c: TestApp;
  let bUrl: string;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let stagingId: string;
  let prodId: string;
  let client: { secret: string; hash: string };
  let server: string;
  let prodClient: string;

  beforeAll(async () => {
    replicas = await createReplicas(2);
    [a, b] = replicas.apps as [TestApp, TestApp];
    // Same database, its own Redis prefix: it hears none of the others' messages.
    c = await createTestApp({ database: replicas.database });
    await b.app.listen({ host: "127.0.0.1", port: 0 });
    bUrl = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
    ws = await createWorkspace(a.db);
    [stagingId, prodId] = [ws.environments[1]!.id, ws.environments[2]!.id];
    await createFlag(a.db, ws.id, { key: "knowledge_base_enabled", states: { [stagingId]: { enabled: true }, [prodId]: { enabled: true } } });
    client = await createApiKey(a.db, ws.id, stagingId, "client");
    server = (await createApiKey(a.db, ws.id, stagingId, "server")).secret;
    prodClient = (await createApiKey(a.db, ws.id, prodId, "client")).secret;
  });
  afterAll(async () => {
    await c.close();
    await replicas.close();
  });

  const evaluate = (replica: TestApp, key: string) =>
    replica.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled", headers: apiKeyHeaders(key), payload: { context: { targetingKey: "u1" } } });

  it("drops the snapshot on every replica, ends the environment's streams and refuses its keys", async () => {
    for (const replica of [b, c]) expect((await evaluate(replica, client.secret)).statusCode).toBe(200);
    expect((await b.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) })).statusCode).toBe(200);
    expect(b.app.services.snapshots.peek(stagingId)).toBeDefined();
    const sdk = await openStream(`${bUrl}/v1/stream?apiKey=${client.secret}`);
    const ofrep = await openStream(`${bUrl}/v1/stream?format=ofrep&apiKey=${client.secret}`);
    const production = await openStream(`${bUrl}/v1/stream?apiKey=${prodClient}`);
    for (const stream of [sdk, ofrep, production]) await stream.next((e) => e.id !== undefined);
    const connections = b.app.services.streams.connections();

    const owner = await memberHeaders(a.app, a.db, ws.id, "owner");
    const res = await a.app.inject({
      method: "DELETE",
      url: `/v1/workspaces/${ws.slug}/environments/staging`,
      headers: { ...owner, ...ifMatch(1) },
      payload: { confirm: "staging" },
    });
    expect(res.statusCode).toBe(204);

    await within(1_000, () => b.app.services.snapshots.peek(stagingId) === undefined, "replica B drops the snapshot");
    // SDK streams hear why they end; OFREP streams, which know no such event, just end.
    expect(JSON.parse((await sdk.next((e) => e.event === "environment-deleted")).data!)).toEqual({ environment: "staging" });
    await Promise.all([sdk.ended, ofrep.ended]);
    expect(ofrep.events.filter((e) => e.event !== undefined)).toEqual([]);
    expect(b.app.services.streams.connections()).toBe(connections - 2);

    // The keys died with it, on replica B at once; so did their shared copies in Redis.
    expect((await evaluate(b, client.secret)).statusCode).toBe(401);
    expect((await b.app.inject({ method: "GET", url: "/v1/config", headers: apiKeyHeaders(server) })).statusCode).toBe(401);
    expect((await openStream(`${bUrl}/v1/stream?apiKey=${client.secret}`)).status).toBe(401);
    expect(await b.cache.get(`apikey:${client.hash}`)).toBeNull();

    // The other environment's stream and snapshot carry on.
    const version = await toggleFlag(a.app, a.db, ws.id, prodId, "knowledge_base_enabled", false);
    expect(JSON.parse((await production.next((e) => e.id === String(version))).data!)).toMatchObject({ environment: "production", version });
    production.close();
  });

  it("lets a replica that missed every message catch up: polling drops the snapshot, its keys answer 401 and leave at the recheck", async () => {
    expect(c.app.services.snapshots.peek(stagingId)).toBeDefined();
    await c.app.services.watcher.pollNow();
    expect(c.app.services.snapshots.peek(stagingId)).toBeUndefined();
    // Its keys are still in C's memory, but their environment is gone: refused, not a 5xx.
    expect(c.app.services.apiKeyVerifier.cached(client.secret)).toBeDefined();
    for (const path of ["/knowledge_base_enabled", ""]) {
      const res = await c.app.inject({ method: "POST", url: `/ofrep/v1/evaluate/flags${path}`, headers: apiKeyHeaders(client.secret), payload: { context: {} } });
      expect({ path, status: res.statusCode, code: res.json().error.code }).toEqual({ path, status: 401, code: "UNAUTHENTICATED" });
    }
    expect((await c.app.inject({ method: "GET", url: "/v1/flags", headers: apiKeyHeaders(client.secret) })).statusCode).toBe(401);
    await c.app.services.apiKeyVerifier.recheck();
    expect(c.app.services.apiKeyVerifier.cached(client.secret)).toBeUndefined();
    // Nothing brings it back, not even a copy of a newer version still in Redis.
    const copy = await c.cache.get(`snapshot:${stagingId}:current`).then((version) => c.cache.get(`snapshot:${stagingId}:${version}`));
    expect(copy).toContain('"environment":"staging"');
    await c.cache.set(`snapshot:${stagingId}:999`, copy!.replace(/"version":\d+/, '"version":999'), 60_000);
    await c.app.services.snapshots.refresh(stagingId, 999);
    expect(c.app.services.snapshots.peek(stagingId)).toBeUndefined();
  });
});
