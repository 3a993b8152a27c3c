import type { FastifyInstance } from "fastify";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { testConfig } from "../../../test/helpers/app";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/database";
import { apiKeyHeaders } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { HANG_GUARD_MS } from "../../../test/helpers/wait";
import { buildApp } from "../../app";
import { createRedisCache } from "../../infra/cache/redis-cache";
import { openDatabase } from "../../infra/db/database";

/** Two API replicas on one database and one Redis, as in production. */
describe("API key revocation across replicas", () => {
  let database: TestDatabase;
  const replicas: { app: FastifyInstance; close(): Promise<void> }[] = [];
  const prefix = `ensign-test:${randomBytes(4).toString("hex")}:`;

  async function replica() {
    // Cached keys are rechecked against PostgreSQL only hourly here: a revocation that reaches a replica came by message.
    const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: inject("redisUrl"), API_KEY_RECHECK_INTERVAL: "1h" });
    const db = await openDatabase({ url: database.url, dataDir: "memory://", poolSize: 3 });
    const cache = createRedisCache({ url: inject("redisUrl"), prefix });
    const app = await buildApp({ config, db, cache });
    await app.ready();
    const close = async () => {
      await app.close();
      await cache.close();
      await db.close();
    };
    replicas.push({ app, close });
    return { app, db };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await database.drop();
  });

  it("stops every replica from accepting a revoked key, by message", async () => {
    const a = await replica();
    const b = await replica();
    const ws = await createWorkspace(a.db);
    const admin = await memberHeaders(a.app, a.db, ws.id, "admin");
    const keysUrl = `/v1/workspaces/${ws.slug}/environments/production/api-keys`;
    const created = await a.app.inject({ method: "POST", url: keysUrl, headers: admin, payload: { name: "Portal", kind: "client" } });
    expect(created.statusCode).toBe(201);
    const evaluate = (app: FastifyInstance) => app.inject({ method: "GET", url: "/v1/flags?targetingKey=u-1", headers: apiKeyHeaders(created.json().secret) });

    // Both replicas have verified the key and keep it in memory.
    expect((await evaluate(a.app)).statusCode).toBe(200);
    expect((await evaluate(b.app)).statusCode).toBe(200);

    const revoked = await a.app.inject({ method: "POST", url: `${keysUrl}/${created.json().id}/revoke`, headers: admin });
    expect(revoked.statusCode).toBe(200);
    expect((await evaluate(a.app)).statusCode).toBe(401);
    await expect.poll(async () => (await evaluate(b.app)).statusCode, { timeout: HANG_GUARD_MS, interval: 20 }).toBe(401);
  });
});
