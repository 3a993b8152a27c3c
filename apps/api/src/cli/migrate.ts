import type { Writable } from "node:stream";
import { migrationStatus, runMigrations } from "../infra/db/migrate";
import { EXIT, withDatabase } from "./database";

export const MIGRATE_USAGE = `Usage: ensign migrate status|deploy [--json]

  status   lists applied and pending migrations of the database (DATABASE_URL, or the embedded
           one in DATA_DIR); exits 0 when it is up to date, 1 when migrations are pending or an
           applied one was changed
  deploy   applies the pending migrations, in order, each in its own transaction, under a lock
           that lets only one process migrate at a time; exits 0 when the database is up to date

  --json   prints the result as JSON

The server applies pending migrations itself at boot unless MIGRATE_ON_START=false. With several
replicas, run \`ensign migrate deploy\` once as a release step and start them with
MIGRATE_ON_START=false.`;

export interface MigrateIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
}

/** `ensign migrate status|deploy`: the exit code, having written the outcome. */
export async function runMigrate(io: MigrateIo): Promise<number> {
  const [command, ...flags] = io.argv;
  const asJson = flags.includes("--json");
  if (command === "--help" || command === "-h") {
    io.stdout.write(`${MIGRATE_USAGE}\n`);
    return EXIT.ok;
  }
  if ((command !== "status" && command !== "deploy") || flags.some((flag) => flag !== "--json")) {
    io.stderr.write(`${MIGRATE_USAGE}\n`);
    return EXIT.usage;
  }
  return withDatabase(io.env, io.stderr, async (db) => {
    if (command === "deploy") {
      try {
        const { applied } = await runMigrations(db.sql);
        if (asJson) io.stdout.write(`${JSON.stringify({ applied })}\n`);
        else io.stdout.write(applied.length ? `Applied ${applied.length} migration(s):\n${applied.map((name) => `  ${name}`).join("\n")}\n` : "The database is up to date.\n");
        return EXIT.ok;
      } catch (error) {
        if ((error as Error).message.startsWith("Migration ")) {
          io.stderr.write(`${(error as Error).message}\n`);
          return EXIT.refused;
        }
        throw error;
      }
    }
    const status = await migrationStatus(db.sql);
    if (asJson) io.stdout.write(`${JSON.stringify(status)}\n`);
    else {
      const lines = [
        `${status.applied.length} applied, ${status.pending.length} pending.`,
        ...status.pending.map((name) => `  pending   ${name}`),
        ...status.modified.map((name) => `  CHANGED   ${name} (applied, but its file differs: restore it and add a new migration instead)`),
        ...status.unknown.map((name) => `  unknown   ${name} (applied by a newer release)`),
      ];
      io.stdout.write(`${lines.join("\n")}\n`);
    }
    return status.pending.length === 0 && status.modified.length === 0 ? EXIT.ok : EXIT.refused;
  });
}
