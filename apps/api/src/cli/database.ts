import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { ConfigError, loadConfig, type Config } from "../config";
import { openDatabase, type Database } from "../infra/db/database";
import { isDatabaseUnavailable } from "../infra/error-handler";

/** Exit codes the `ensign` commands share, for scripts. */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

/**
 * Opens the database the server would (DATABASE_URL, or the embedded one in DATA_DIR) for a
 * command, runs `work` on it and closes it: the exit code, with configuration and connection
 * failures written to `stderr` as the server would word them.
 */
export async function withDatabase(env: NodeJS.ProcessEnv, stderr: Writable, work: (db: Database, config: Config) => Promise<number>): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  if (config.embedded.database) mkdirSync(config.dataDir, { recursive: true });
  let db: Database | undefined;
  try {
    db = await openDatabase({ url: config.databaseUrl, dataDir: path.join(config.dataDir, "pglite"), poolSize: 1 });
    return await work(db, config);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    stderr.write(`The database cannot be reached: ${(error as Error).message}\n`);
    return EXIT.unavailable;
  } finally {
    await db?.close().catch(() => undefined);
  }
}
