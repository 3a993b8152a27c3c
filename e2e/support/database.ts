import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const DATABASE_HOST = process.env.E2E_DATABASE_HOST ?? "127.0.0.1:5432";
export const RUN_FILE = fileURLToPath(new URL("../../test-results/e2e-run.json", import.meta.url));

/** Runs one statement as the local superuser (trust auth), outside any database we create. */
export async function adminSql(statement: string) {
  const [host, port] = DATABASE_HOST.split(":");
  execFileSync("psql", ["-h", host!, "-p", port ?? "5432", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", statement], { stdio: ["ignore", "ignore", "inherit"] });
}

/**
 * Runs one statement in this run's database as the local superuser: for a spec that needs data
 * no API can make, such as audit entries from long ago. Never for what the app itself writes.
 */
export function runSql(statement: string) {
  const { database } = JSON.parse(readFileSync(RUN_FILE, "utf8")) as { database: string };
  const [host, port] = DATABASE_HOST.split(":");
  execFileSync("psql", ["-h", host!, "-p", port ?? "5432", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", statement], { stdio: ["ignore", "ignore", "inherit"] });
}
