import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendFile, cp, mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from "../../../test/helpers/database";
import { openDatabase, type Database } from "./database";
import { MIGRATIONS_DIR, runMigrations } from "./migrate";
import { inWorkspace } from "./scoped";

describe("migrations", () => {
  let empty: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    empty = await createEmptyDatabase();
    db = await openDatabase({ url: empty.url, dataDir: "memory://" });
  });
  afterAll(async () => {
    await db.close();
    await empty.drop();
  });

  it("apply to an empty database, then have nothing left to do", async () => {
    const first = await runMigrations(db.sql);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.applied[0]).toMatch(/_init$/);
    const second = await runMigrations(db.sql);
    expect(second.applied).toEqual([]);
    const rows = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE finished_at IS NOT NULL`);
    expect(rows[0]!.n).toBe(first.applied.length);
  });

  it("refuse to run when an applied migration was edited", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ensign-migrations-"));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    expect((await runMigrations(db.sql, dir)).applied).toEqual([]);
    const name = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory())[0]!.name;
    await appendFile(path.join(dir, name, "migration.sql"), "\n-- edited\n");
    await expect(runMigrations(db.sql, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it("enable row-level security with a policy on every table that carries workspace_id", async () => {
    const tables = await db.sql.query<{ table_name: string; rls: boolean; policies: number }>(`
      SELECT c.table_name, cls.relrowsecurity AS rls,
             (SELECT count(*)::int FROM pg_policies p WHERE p.tablename = c.table_name) AS policies
      FROM information_schema.columns c
      JOIN pg_class cls ON cls.relname = c.table_name AND cls.relkind = 'r'
      WHERE c.table_schema = 'public' AND c.column_name = 'workspace_id'`);
    expect(tables.length).toBeGreaterThanOrEqual(16);
    for (const table of tables) {
      expect({ table: table.table_name, rls: table.rls, policies: table.policies > 0 }).toEqual({
        table: table.table_name,
        rls: true,
        policies: true,
      });
    }
  });
});

describe("row-level security", () => {
  let database: TestDatabase;
  let db: Database;
  let a: string;
  let b: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ url: database.url, dataDir: "memory://" });
    a = (await db.prisma.workspace.create({ data: { slug: "rls-a", name: "A" } })).id;
    b = (await db.prisma.workspace.create({ data: { slug: "rls-b", name: "B" } })).id;
    await db.prisma.tenant.create({ data: { workspaceId: a, key: "ta", name: "Tenant A" } });
    await db.prisma.tenant.create({ data: { workspaceId: b, key: "tb", name: "Tenant B" } });
  });
  afterAll(async () => {
    await db.close();
    await database.drop();
  });

  it("confines a scoped transaction to its own workspace's rows", async () => {
    const seen = await inWorkspace(db.prisma, a, (tx) => tx.tenant.findMany({ select: { key: true } }));
    expect(seen).toEqual([{ key: "ta" }]);
    const workspaces = await inWorkspace(db.prisma, a, (tx) => tx.workspace.findMany({ select: { slug: true } }));
    expect(workspaces).toEqual([{ slug: "rls-a" }]);
  });

  it("shows nothing of any workspace to the app role without the workspace setting", async () => {
    const seen = await db.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT set_config('role', 'ensign_app', true)`;
      return { tenants: await tx.tenant.count(), workspaces: await tx.workspace.count() };
    });
    expect(seen).toEqual({ tenants: 0, workspaces: 0 });
  });

  it("refuses to write a row into another workspace", async () => {
    await expect(
      inWorkspace(db.prisma, a, (tx) => tx.tenant.create({ data: { workspaceId: b, key: "sneaky", name: "x" } })),
    ).rejects.toThrow(/row-level security/);
    const updated = await inWorkspace(db.prisma, a, (tx) => tx.tenant.updateMany({ where: { key: "tb" }, data: { name: "pwned" } }));
    expect(updated.count).toBe(0);
    expect((await db.prisma.tenant.findFirst({ where: { key: "tb" } }))!.name).toBe("Tenant B");
  });

  it("keeps the audit log append-only, even for the table's owner", async () => {
    await db.prisma.auditEntry.create({ data: { workspaceId: a, actorType: "system", action: "test.done", targetType: "test" } });
    await expect(db.prisma.auditEntry.updateMany({ data: { action: "rewritten" } })).rejects.toThrow(/append-only/);
    await expect(db.prisma.auditEntry.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(db.sql.exec(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
    await expect(
      inWorkspace(db.prisma, a, (tx) => tx.auditEntry.deleteMany({})),
    ).rejects.toThrow(/permission denied|append-only/);
    expect(await db.prisma.auditEntry.count({ where: { action: "test.done" } })).toBe(1);
  });
});
