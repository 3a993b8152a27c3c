import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { inject } from "vitest";
import { buildApp } from "../../src/app";
import { loadConfig, type Config } from "../../src/config";
import type { Cache } from "../../src/infra/cache/cache";
import { createRedisCache } from "../../src/infra/cache/redis-cache";
import { openDatabase, type Database } from "../../src/infra/db/database";
import { createTestDatabase, type TestDatabase } from "./database";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-signing";

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  cache: Cache;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: "silent",
    SEED_DEMO: "false",
    MIGRATE_ON_START: "false",
    ADMIN_DIST: "/nonexistent",
    LOGIN_RATE_LIMIT: "1000",
    // Tests run the schedule runner themselves, so it never sweeps another test's data mid-test.
    SCHEDULER_ENABLED: "false",
    ...overrides,
  });
}

/**
 * The real API on this test file's own database and a Redis key prefix of its own. Call
 * `close()` in `afterAll`.
 */
export async function createTestApp(options: { config?: Record<string, string>; database?: TestDatabase } = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = testConfig({ DATABASE_URL: database.url, REDIS_URL: inject("redisUrl"), ...options.config });
  const db = await openDatabase({ url: database.url, dataDir: "memory://", poolSize: 5 });
  const cache = createRedisCache({ url: inject("redisUrl"), prefix: `ensign-test:${randomBytes(4).toString("hex")}:` });
  const app = await buildApp({ config, db, cache });
  await app.ready();
  return {
    app,
    db,
    cache,
    config,
    database,
    async close() {
      await app.close();
      await cache.close();
      await db.close();
      if (!options.database) await database.drop();
    },
  };
}
