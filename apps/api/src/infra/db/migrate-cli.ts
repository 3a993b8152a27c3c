import { loadConfig } from "../../config";
import { openDatabase } from "./database";
import { runMigrations } from "./migrate";
import path from "node:path";
import { mkdirSync } from "node:fs";

const config = loadConfig();
if (config.embedded.database) mkdirSync(config.dataDir, { recursive: true });
const db = await openDatabase({ url: config.databaseUrl, dataDir: path.join(config.dataDir, "pglite") });
try {
  const { applied } = await runMigrations(db.sql);
  console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "The database is up to date.");
} finally {
  await db.close();
}
