import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { MIGRATIONS_DIR } from "../../paths";
import type { SqlRunner } from "./sql-runner";

export { MIGRATIONS_DIR } from "../../paths";

const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Any constant shared by every replica: only one of them migrates at a time.
const MIGRATION_LOCK = 7_311_001;

/**
 * The role row-level security binds through (see the first migration). Roles belong to the whole
 * PostgreSQL cluster while the migration lock holds one database only, so two databases of one
 * cluster migrated at once (two installations, or test runs side by side) would both try to
 * create it. Created here first, in a statement of its own that lets the loser of that race go on.
 */
const APP_ROLE = `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ensign_app') THEN
    CREATE ROLE ensign_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$`;

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies pending migrations in name order, each in its own transaction, recording them in
 * Prisma's `_prisma_migrations` table so `prisma migrate status` agrees. A migration that was
 * applied and later edited stops the run: migrations are immutable once shipped.
 */
export async function runMigrations(db: SqlRunner, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

  return db.withConnection(async (conn) => {
    await conn.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      await conn.exec(MIGRATIONS_TABLE);
      const done = await conn.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const applied = new Map(done.map((row) => [row.migration_name, row.checksum]));
      const result: MigrationResult = { applied: [] };
      if (names.some((name) => !applied.has(name))) await conn.exec(APP_ROLE);

      for (const name of names) {
        const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
        const checksum = createHash("sha256").update(sql).digest("hex");
        const previous = applied.get(name);
        if (previous !== undefined) {
          if (previous !== checksum) {
            throw new Error(`Migration ${name} was changed after it was applied; add a new migration instead.`);
          }
          continue;
        }
        await conn.exec("BEGIN");
        try {
          await conn.exec(sql);
          await conn.query(
            `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
             VALUES ($1, $2, $3, now(), 1)`,
            [randomUUID(), checksum, name],
          );
          await conn.exec("COMMIT");
        } catch (error) {
          await conn.exec("ROLLBACK");
          throw new Error(`Migration ${name} failed: ${(error as Error).message}`, { cause: error });
        }
        result.applied.push(name);
      }
      return result;
    } finally {
      await conn.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
    }
  });
}

export interface MigrationStatus {
  /** Applied, in name order. */
  applied: string[];
  /** In the release but not yet applied. */
  pending: string[];
  /** Applied, but their file changed since: the runner refuses to go on until this is resolved. */
  modified: string[];
  /** Applied by a newer release: their files are not in this one (a rollback of the code). */
  unknown: string[];
}

/** What `runMigrations` would do, without doing it. Reads only; takes no lock. */
export async function migrationStatus(db: SqlRunner, dir = MIGRATIONS_DIR): Promise<MigrationStatus> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return db.withConnection(async (conn) => {
    const exists = await conn.query<{ found: boolean }>(`SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS found`);
    const done = exists[0]?.found
      ? await conn.query<{ migration_name: string; checksum: string }>(
          `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
        )
      : [];
    const applied = new Map(done.map((row) => [row.migration_name, row.checksum]));
    const status: MigrationStatus = { applied: [], pending: [], modified: [], unknown: [] };
    for (const name of names) {
      const previous = applied.get(name);
      if (previous === undefined) {
        status.pending.push(name);
        continue;
      }
      status.applied.push(name);
      const checksum = createHash("sha256").update(await readFile(path.join(dir, name, "migration.sql"), "utf8")).digest("hex");
      if (checksum !== previous) status.modified.push(name);
    }
    status.unknown = [...applied.keys()].filter((name) => !names.includes(name));
    return status;
  });
}
