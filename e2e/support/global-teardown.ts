import { existsSync, readFileSync, rmSync } from "node:fs";
import { adminSql, RUN_FILE } from "./database";

/** Stops the API and drops the run's database. */
export default async function globalTeardown() {
  if (!existsSync(RUN_FILE)) return;
  const { database, pid } = JSON.parse(readFileSync(RUN_FILE, "utf8")) as { database: string; pid?: number };
  if (pid) {
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // Already gone.
    }
    for (let i = 0; i < 40; i++) {
      try {
        process.kill(-pid, 0);
        await new Promise((r) => setTimeout(r, 250));
      } catch {
        break;
      }
    }
  }
  if (!process.env.E2E_KEEP_DATABASE) await adminSql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(RUN_FILE, { force: true });
}
