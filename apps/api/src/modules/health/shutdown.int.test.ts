import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../app";
import { createRedisCache } from "../../infra/cache/redis-cache";
import { openDatabase, type Database } from "../../infra/db/database";
import type { Cache } from "../../infra/cache/cache";
import { inject } from "vitest";
import { testConfig } from "../../../test/helpers/app";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/database";

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** One request over a kept-alive connection: status, `connection` header and body, or the socket error. */
function get(port: number, path: string, json?: string): Promise<{ status: number; connection: string | undefined; body: string } | { error: string }> {
  const post = json === undefined ? {} : { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(json) } };
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, agent, ...post }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, body }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(json);
  });
}

describe("stopping a replica", () => {
  let database: TestDatabase;
  let db: Database;
  let cache: Cache;
  let app: FastifyInstance;
  let port: number;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ url: database.url, dataDir: "memory://", poolSize: 2 });
    cache = createRedisCache({ url: inject("redisUrl"), prefix: `ensign-test:${randomBytes(4).toString("hex")}:` });
    app = await buildApp({ config: testConfig({ DATABASE_URL: database.url }), db, cache });
    // A request that is still being answered when the replica is asked to stop.
    const held = new Promise<void>((resolve) => (release = resolve));
    app.get("/held", async () => {
      await held;
      return { answered: true };
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    agent.destroy();
    release();
    await app.close().catch(() => undefined);
    await cache.close();
    await db.close();
    await database.drop();
  });

  it("drains: readiness answers 503 draining, every answer closes its connection, and requests in flight are answered on close", async () => {
    const before = await get(port, "/readyz");
    expect(before).toMatchObject({ status: 200, connection: "keep-alive" });
    // OFREP evaluation, answered in front of Fastify in steady state (401: no key here).
    const evaluation = () => get(port, "/ofrep/v1/evaluate/flags/some-flag", JSON.stringify({ context: { targetingKey: "u" } }));
    expect(await evaluation()).toMatchObject({ status: 401, connection: "keep-alive" });

    app.services.health.drain();
    const draining = await get(port, "/readyz");
    expect(draining).toMatchObject({ status: 503, connection: "close" });
    expect(JSON.parse((draining as { body: string }).body)).toMatchObject({ status: "draining" });
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, connection: "close" });
    expect(await evaluation()).toMatchObject({ status: 401, connection: "close" });

    const inFlight = get(port, "/held");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect(await inFlight).toMatchObject({ status: 200, body: JSON.stringify({ answered: true }) });
    await closed;
    expect(await get(port, "/healthz")).toMatchObject({ error: "ECONNREFUSED" });
  });
});
