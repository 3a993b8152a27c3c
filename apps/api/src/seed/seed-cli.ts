import { mkdirSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../config";
import { openDatabase } from "../infra/db/database";
import { runMigrations } from "../infra/db/migrate";
import { DEMO_USERS, seedDemo } from "./demo-data";

const config = loadConfig();
// The demo's logins are published: loading them into a production database opens it to anyone.
if (config.env === "production" && process.env.ENSIGN_ALLOW_DEMO_SEED !== "true") {
  console.error(
    "Refusing to load the demo data with NODE_ENV=production: its logins and passwords are published.\n" +
      "Create the first admin with `pnpm ensign admin create --email you@example.com` instead,\n" +
      "or set ENSIGN_ALLOW_DEMO_SEED=true for a throwaway trial database.",
  );
  process.exit(1);
}
if (config.embedded.database) mkdirSync(config.dataDir, { recursive: true });
const db = await openDatabase({ url: config.databaseUrl, dataDir: path.join(config.dataDir, "pglite") });
try {
  await runMigrations(db.sql);
  const loaded = await seedDemo(db.prisma);
  console.log(loaded ? "Loaded the demo workspaces PiqueTickets and Finance Suite." : "The demo workspaces are already there.");
  for (const user of DEMO_USERS) console.log(`  ${user.role.padEnd(13)} ${user.email.padEnd(30)} ${user.password}`);
} finally {
  await db.close();
}
