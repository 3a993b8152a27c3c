import { existsSync, rmSync } from "node:fs";
import { adminSql } from "./database";
import { readRun, RUN_FILE, type E2eApi } from "./run";

async function stop({ pid }: E2eApi) {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return; // Already gone.
  }
  for (let i = 0; i < 40; i++) {
    try {
      process.kill(-pid, 0);
      await new Promise((r) => setTimeout(r, 250));
    } catch {
      return;
    }
  }
}

/** Stops the APIs and drops their databases. */
export default async function globalTeardown() {
  if (!existsSync(RUN_FILE)) return;
  const apis = readRun();
  await Promise.all(apis.map(stop));
  if (!process.env.E2E_KEEP_DATABASE) for (const { database } of apis) await adminSql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(RUN_FILE, { force: true });
}
