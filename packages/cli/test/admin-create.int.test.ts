import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase, type Database } from "../../../apps/api/src/infra/db/database";
import { createTestDatabase, type TestDatabase } from "../../../apps/api/test/helpers/database";
import { REPO_ROOT, runCli } from "./run-cli";

/**
 * `ensign admin create` runs the server's own operator command, the one implementation of making
 * the first superadmin, and answers in the CLI's exit codes. The server's command runs from its
 * source here (apps/api/src/cli/ensign.ts under tsx, the module apps/api/dist/ensign.js is built
 * from; the compiled one is run by apps/api/test/compiled-server.int.test.ts), so this file never
 * rebuilds apps/api/dist under another test.
 */
const SERVER_CLI_SOURCE = path.join(REPO_ROOT, "apps/api/src/cli/ensign.ts");
const TSX = pathToFileURL(path.join(REPO_ROOT, "node_modules/tsx/dist/loader.mjs")).href;

describe("ensign admin create", () => {
  let database: TestDatabase;
  let db: Database;
  let dir: string;
  let server: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ url: database.url, dataDir: "memory://", poolSize: 1 });
    dir = await mkdtemp(path.join(tmpdir(), "ensign-cli-admin-"));
    // What the server host has: its database and secrets, and no access token.
    server = {
      DATABASE_URL: database.url,
      REDIS_URL: inject("redisUrl"),
      JWT_SECRET: randomBytes(32).toString("base64url"),
      MIGRATE_ON_START: "false",
      LOG_LEVEL: "warn",
      HOME: dir,
      NODE_OPTIONS: `--import ${TSX}`,
    };
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("creates the first superadmin through the server's command, and refuses a second with exit 2", async () => {
    const env = { ...server, ENSIGN_SERVER_CLI: SERVER_CLI_SOURCE };
    const created = await runCli(["admin", "create", "--email", "ops@example.com", "--name", "Ops", "--password-stdin"], { env, stdin: "a long enough password\n", cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain("Created the platform superadmin ops@example.com (Ops)");
    expect(await db.prisma.user.findUniqueOrThrow({ where: { email: "ops@example.com" } })).toMatchObject({ isSuperadmin: true, name: "Ops" });

    const again = await runCli(["admin", "create", "--email", "second@example.com", "--password-stdin"], { env, stdin: "a long enough password\n", cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("The database has 1 superadmin already; nothing was created.");
    expect(await db.prisma.user.count({ where: { email: "second@example.com" } })).toBe(0);
  });

  it("finds apps/api/dist/ensign.js in the server's directory, and passes its usage errors on as exit 1", async () => {
    // A server directory laid out as the container's /app, whose dist/ensign.js runs the server's command.
    const app = path.join(dir, "app");
    await mkdir(path.join(app, "apps/api/dist"), { recursive: true });
    await writeFile(path.join(app, "apps/api/package.json"), JSON.stringify({ name: "@ensign/api", type: "module" }));
    await writeFile(path.join(app, "apps/api/dist/ensign.js"), `await import(${JSON.stringify(pathToFileURL(SERVER_CLI_SOURCE).href)});\n`);
    const missingEmail = await runCli(["admin", "create", "--password-stdin"], { env: server, cwd: app });
    expect(missingEmail.code).toBe(1);
    expect(missingEmail.stderr).toContain("--email is required.");
  });

  it("says where to run it when the server's command is not there", async () => {
    const elsewhere = await runCli(["admin", "create", "--email", "ops@example.com"], { env: { HOME: dir }, cwd: dir });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain("The server's operator command was not found here");
    expect(elsewhere.stderr).toContain("docker compose exec api node apps/api/dist/ensign.js admin create");

    const help = await runCli(["admin", "create", "--help"], { env: { HOME: dir }, cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: ensign admin create --email <address>");
  });
});
