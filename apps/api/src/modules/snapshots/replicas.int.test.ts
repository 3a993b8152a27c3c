import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/database";
import { apiKeyHeaders, createApiKey, createFlag, toggleFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";
import { waitUntil } from "../../../test/helpers/wait";

/** The safety-net poll, far beyond any wait here: a change that reaches the other replica came by message. */
const NO_ROUTINE_POLL = { SNAPSHOT_POLL_INTERVAL: "1h" };

describe("two replicas sharing PostgreSQL and Redis", () => {
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let client: string;
  const cachePrefix = `ensign-test:${randomBytes(4).toString("hex")}:`;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await createTestApp({ database, cachePrefix, config: NO_ROUTINE_POLL });
    b = await createTestApp({ database, cachePrefix, config: NO_ROUTINE_POLL });
    ws = await createWorkspace(a.db);
    prodId = ws.environments[2]!.id;
    await createFlag(a.db, ws.id, { key: "knowledge_base_enabled", states: { [prodId]: { enabled: false } } });
    client = (await createApiKey(a.db, ws.id, prodId, "client")).secret;
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await database.drop();
  });

  const valueOn = async (app: TestApp) => {
    const res = await app.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/knowledge_base_enabled",
      headers: apiKeyHeaders(client),
      payload: { context: { targetingKey: "u1" } },
    });
    return res.json().value as boolean;
  };

  // How fast (p99 < 100 ms over 100 writes) is measured by `pnpm bench:propagation`.
  it("serves every write made through replica A from replica B, by message", async () => {
    expect(await valueOn(b)).toBe(false);
    for (let i = 0; i < 20; i++) {
      const enabled = i % 2 === 0;
      await toggleFlag(a.app, a.db, ws.id, prodId, "knowledge_base_enabled", enabled);
      await waitUntil(async () => (await valueOn(b)) === enabled, undefined, 1);
    }
  });

  it("shares each built snapshot through Redis: a replica that hears of a version reads the copy", async () => {
    expect(await valueOn(a)).toBeTypeOf("boolean");
    const version = await toggleFlag(a.app, a.db, ws.id, prodId, "knowledge_base_enabled", true);
    await a.app.services.snapshots.refresh(prodId, version);
    const copy = await a.cache.get(`snapshot:${prodId}:${version}`);
    expect(copy).toContain('"knowledge_base_enabled"');
    // The context secret travels sealed, never in clear.
    expect(copy).not.toContain(ws.environments[2]!.contextSecret);

    const c = await createTestApp({ database, cachePrefix });
    try {
      await c.app.services.snapshots.refresh(prodId, version);
      expect(c.app.services.snapshots.peek(prodId)).toMatchObject({ version, source: "redis" });
      expect(c.app.services.snapshots.peek(prodId)!.meta.contextSecret).toBe(ws.environments[2]!.contextSecret);
      expect(await valueOn(c)).toBe(true);
    } finally {
      await c.close();
    }
  });
});
