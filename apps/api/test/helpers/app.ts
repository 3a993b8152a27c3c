import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { inject } from "vitest";
import { buildApp, type AppOptions } from "../../src/app";
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
export interface TestAppOptions {
  config?: Record<string, string>;
  /** Share a database with another app (replicas); it is then not dropped on close. */
  database?: TestDatabase;
  /** Connect through this URL instead of the database's own (a proxy that a test can cut). */
  databaseUrl?: string;
  /** Another Redis than the machine's (one a test may stop). */
  redisUrl?: string;
  /** Share a Redis key prefix (and so pub/sub channels) with another app: replicas. */
  cachePrefix?: string;
  /** Sees every route as the app adds it. */
  onRoute?: AppOptions["onRoute"];
  /** Fastify's logger option (silent when left out). */
  logger?: AppOptions["logger"];
  /** Runs on the built app before it is ready: a test's own hooks. */
  prepare?: (app: FastifyInstance) => void;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const redisUrl = options.redisUrl ?? inject("redisUrl");
  const databaseUrl = options.databaseUrl ?? database.url;
  const config = testConfig({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ...options.config });
  const db = await openDatabase({ url: databaseUrl, dataDir: "memory://", poolSize: 5 });
  const cache = createRedisCache({ url: redisUrl, prefix: options.cachePrefix ?? `ensign-test:${randomBytes(4).toString("hex")}:` });
  const app = await buildApp({ config, db, cache, onRoute: options.onRoute, logger: options.logger });
  options.prepare?.(app);
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

/**
 * `count` API replicas sharing one database and one Redis key prefix (so one pub/sub), as a
 * scaled-out deployment runs them. `close()` closes them all and drops the database.
 */
export async function createReplicas(count: number, config: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const cachePrefix = `ensign-test:${randomBytes(4).toString("hex")}:`;
  const apps: TestApp[] = [];
  for (let i = 0; i < count; i++) apps.push(await createTestApp({ database, cachePrefix, config }));
  return {
    database,
    cachePrefix,
    apps,
    async close() {
      await Promise.all(apps.map((replica) => replica.close()));
      await database.drop();
    },
  };
}
