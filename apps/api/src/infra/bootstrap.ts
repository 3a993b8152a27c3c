import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config";
import { seedDemo } from "../seed/demo-data";
import { openCache } from "./cache/open-cache";
import type { Cache } from "./cache/cache";
import { openDatabase, type Database } from "./db/database";
import { runMigrations } from "./db/migrate";

export interface Infrastructure {
  db: Database;
  cache: Cache;
  migrated: string[];
  seeded: boolean;
}

/**
 * Opens the database (PostgreSQL, or PGlite under DATA_DIR) and the cache (Redis, or in
 * process), applies pending migrations and, on an empty database, loads the demo data.
 */
export async function openInfrastructure(
  config: Config,
  log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void },
): Promise<Infrastructure> {
  if (config.embedded.database) mkdirSync(config.dataDir, { recursive: true });
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: path.join(config.dataDir, "pglite"),
    poolSize: config.databasePoolSize,
  });
  const migrated = config.migrateOnStart ? (await runMigrations(db.sql)).applied : [];
  if (migrated.length) log.info({ migrations: migrated }, "applied migrations");
  const seeded = config.seedDemo ? await seedDemo(db.prisma) : false;
  if (seeded) log.info({}, "loaded the demo workspaces");
  let lastCacheError = 0;
  const cache = openCache(config.redisUrl, (error) => {
    // Redis retries by itself; say so once every 10 s, not on every attempt.
    if (Date.now() - lastCacheError > 10_000) log.warn({ err: error.message }, "redis unavailable; serving from process memory");
    lastCacheError = Date.now();
  });
  return { db, cache, migrated, seeded };
}
