import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../src/infra/db/database";
import { runMigrations } from "../src/infra/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    databaseAdminUrl: string;
    templateDatabase: string;
    redisUrl: string;
  }
}

export const DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Migrates one template database for the whole run; every test file clones it. A missing
 * PostgreSQL or Redis fails the run here, loudly: integration tests never skip.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const redisUrl = process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL;

  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Integration tests need Redis at ${redisUrl}: ${(error as Error).message}`, { cause: error });
  } finally {
    redis.disconnect();
  }

  const template = `ensign_tpl_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`Integration tests need PostgreSQL at ${adminUrl}: ${(error as Error).message}`, { cause: error });
  }
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const db = await openDatabase({ url: databaseUrl(adminUrl, template), dataDir: "memory://", poolSize: 1 });
  await runMigrations(db.sql);
  await db.close();

  project.provide("databaseAdminUrl", adminUrl);
  project.provide("templateDatabase", template);
  project.provide("redisUrl", redisUrl);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.end();
  };
}
