import { execFileSync } from "node:child_process";
import { thisWorkersApi } from "./run";

export const DATABASE_HOST = process.env.E2E_DATABASE_HOST ?? "127.0.0.1:5432";

function psql(database: string, statement: string) {
  const [host, port] = DATABASE_HOST.split(":");
  execFileSync("psql", ["-h", host!, "-p", port ?? "5432", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-qc", statement], { stdio: ["ignore", "ignore", "inherit"] });
}

/** Runs one statement as the local superuser (trust auth), outside any database we create. */
export async function adminSql(statement: string) {
  psql("postgres", statement);
}

/**
 * Runs one statement in this worker's database as the local superuser: for a spec that needs
 * data no API can make, such as audit entries from long ago or 10,000 rows at once. Never for
 * what the app itself writes.
 */
export function runSql(statement: string) {
  psql(thisWorkersApi().database, statement);
}
