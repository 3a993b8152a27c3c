import { execFile } from "node:child_process";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, TEST_JWT_SECRET, type TestApp } from "../../test/helpers/app";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/database";
import { EXIT, runAdminCreate } from "./admin-create";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** Runs `ensign admin create` in process, against `database`, with `stdin` as standard input. */
async function adminCreate(database: TestDatabase, argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  const code = await runAdminCreate({
    argv,
    env: { NODE_ENV: "test", DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET, MIGRATE_ON_START: "false", ...options.env },
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    stdout,
    stderr,
  });
  return { code, out, err };
}

describe("ensign admin create", () => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await createTestApp({ database });
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  const signIn = (email: string, password: string) => t.app.inject({ method: "POST", url: "/v1/auth/login", payload: { email, password } });

  it("creates the first superadmin of an empty database from stdin, who signs in and may create a workspace", async () => {
    expect(await t.db.prisma.user.count()).toBe(0);
    const res = await adminCreate(database, ["--email", "Ops@Example.com", "--name", "Ops", "--password-stdin"], { stdin: "a long enough password\n" });
    expect(res).toMatchObject({ code: EXIT.ok, err: "" });
    expect(res.out).toContain("ops@example.com");

    const login = await signIn("ops@example.com", "a long enough password");
    expect(login.statusCode).toBe(200);
    const headers = { authorization: `Bearer ${login.json().accessToken}` };
    const workspace = await t.app.inject({ method: "POST", url: "/v1/workspaces", headers, payload: { slug: "first", name: "First" } });
    expect(workspace.statusCode).toBe(201);
  });

  it("refuses a second run, and creates another superadmin only with --force, from ENSIGN_ADMIN_PASSWORD", async () => {
    const again = await adminCreate(database, ["--email", "second@example.com"], { env: { ENSIGN_ADMIN_PASSWORD: "another long password" } });
    expect(again.code).toBe(EXIT.refused);
    expect(again.err).toMatch(/superadmin already; nothing was created/);
    expect((await signIn("second@example.com", "another long password")).statusCode).toBe(401);

    const forced = await adminCreate(database, ["--email", "second@example.com", "--force"], { env: { ENSIGN_ADMIN_PASSWORD: "another long password" } });
    expect(forced.code).toBe(EXIT.ok);
    expect((await signIn("second@example.com", "another long password")).statusCode).toBe(200);
  });

  it("never takes over an existing account, even with --force", async () => {
    const taken = await adminCreate(database, ["--email", "ops@example.com", "--force", "--password-stdin"], { stdin: "someone else's password" });
    expect(taken.code).toBe(EXIT.refused);
    expect(taken.err).toMatch(/exists; nothing was created/);
    expect((await signIn("ops@example.com", "a long enough password")).statusCode).toBe(200);
  });

  it("answers bad input with the usage or the rule, creating nothing", async () => {
    const before = await t.db.prisma.user.count();
    expect((await adminCreate(database, [])).code).toBe(EXIT.usage);
    expect((await adminCreate(database, ["--email", "x@example.com", "--bogus"])).code).toBe(EXIT.usage);
    expect((await adminCreate(database, ["--email", "x@example.com"])).err).toMatch(/No password/);
    const short = await adminCreate(database, ["--email", "x@example.com", "--force", "--password-stdin"], { stdin: "short" });
    expect(short).toMatchObject({ code: EXIT.refused, err: expect.stringMatching(/at least 10 characters/) });
    const email = await adminCreate(database, ["--email", "not-an-email", "--force", "--password-stdin"], { stdin: "a long enough password" });
    expect(email).toMatchObject({ code: EXIT.refused, err: expect.stringMatching(/--email/) });
    expect(await t.db.prisma.user.count()).toBe(before);
  });

  it("says when the database cannot be reached", async () => {
    const res = await adminCreate(database, ["--email", "x@example.com", "--password-stdin"], {
      stdin: "a long enough password",
      env: { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nothing" },
    });
    expect(res.code).toBe(EXIT.unavailable);
    expect(res.err).toMatch(/cannot be reached/);
  });

  it("runs as the documented command, `pnpm ensign admin create`", async () => {
    const fresh = await createTestDatabase();
    try {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          "pnpm",
          ["--silent", "ensign", "admin", "create", "--email", "cli@example.com", "--password-stdin"],
          { cwd: REPO_ROOT, env: { ...process.env, NODE_ENV: "test", DATABASE_URL: fresh.url, JWT_SECRET: TEST_JWT_SECRET, MIGRATE_ON_START: "false" }, timeout: 60_000 },
          (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        child.stdin!.end("a long enough password\n");
      });
      expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining("cli@example.com") });
    } finally {
      await fresh.drop();
    }
  });
});
