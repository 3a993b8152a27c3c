import { cp, mkdtemp, appendFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_JWT_SECRET } from "../../test/helpers/app";
import { createEmptyDatabase, type TestDatabase } from "../../test/helpers/database";
import { openDatabase } from "../infra/db/database";
import { MIGRATIONS_DIR, migrationStatus } from "../infra/db/migrate";
import { EXIT } from "./database";
import { runMigrate } from "./migrate";

async function migrate(database: TestDatabase, argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  const code = await runMigrate({ argv, env: { NODE_ENV: "test", DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET }, stdout, stderr });
  return { code, out, err };
}

describe("ensign migrate", () => {
  let database: TestDatabase;
  let names: string[];

  beforeAll(async () => {
    database = await createEmptyDatabase();
    names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  });
  afterAll(() => database.drop());

  it("reports every migration pending on a fresh database, exiting 1", async () => {
    const res = await migrate(database, ["status", "--json"]);
    expect(res.code).toBe(EXIT.refused);
    expect(JSON.parse(res.out)).toEqual({ applied: [], pending: names, modified: [], unknown: [] });
  });

  it("deploys them in order, then reports the database up to date, exiting 0", async () => {
    const deployed = await migrate(database, ["deploy"]);
    expect(deployed.code).toBe(EXIT.ok);
    expect(deployed.out).toContain(`Applied ${names.length} migration(s)`);
    expect((await migrate(database, ["deploy"])).out).toBe("The database is up to date.\n");
    const status = await migrate(database, ["status"]);
    expect(status).toMatchObject({ code: EXIT.ok, out: `${names.length} applied, 0 pending.\n` });
  });

  it("names a migration whose file changed after it was applied", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ensign-migrations-"));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await appendFile(path.join(dir, names[0]!, "migration.sql"), "\n-- edited later\n");
    const db = await openDatabase({ url: database.url, dataDir: "memory://", poolSize: 1 });
    try {
      expect(await migrationStatus(db.sql, dir)).toMatchObject({ modified: [names[0]], pending: [] });
    } finally {
      await db.close();
    }
  });

  it("answers a wrong command with its usage", async () => {
    const res = await migrate(database, ["up"]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.err).toContain("Usage: ensign migrate status|deploy");
  });
});
