import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";

const DAY = 86_400_000;

describe("audit retention", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  let owner: Record<string, string>;

  /** Entries written `daysAgo` days back, as a long-running workspace would have them. */
  async function oldEntries(workspaceId: string, daysAgo: number[]) {
    for (const [i, days] of daysAgo.entries()) {
      await t.db.prisma.auditEntry.create({
        data: { workspaceId, at: new Date(Date.now() - days * DAY), actorType: "system", action: "flag.toggled", targetType: "flag", targetKey: `old-${days}-${i}`, after: { enabled: i % 2 === 0 } },
      });
    }
  }
  const keysOf = async (workspaceId: string) =>
    (await t.db.prisma.auditEntry.findMany({ where: { workspaceId, action: "flag.toggled" }, orderBy: { id: "asc" } })).map((e) => e.targetKey);

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    owner = await memberHeaders(t.app, t.db, ws.id, "owner");
  });
  afterAll(() => t.close());

  const url = (path: string, slug = ws.slug) => `/v1/workspaces/${slug}/audit${path}`;

  it("keeps entries forever by default: the job purges nothing", async () => {
    await oldEntries(ws.id, [400, 100, 1]);
    const read = await t.app.inject({ method: "GET", url: url("/retention"), headers: owner });
    expect(read.json()).toEqual({ days: null });
    expect(await t.app.services.auditRetention.runOnce()).toBe(0);
    expect(await keysOf(ws.id)).toHaveLength(3);
  });

  it("lets only owners set the period, audited, and refuses bad periods", async () => {
    const admin = await memberHeaders(t.app, t.db, ws.id, "admin");
    expect((await t.app.inject({ method: "PUT", url: url("/retention"), headers: admin, payload: { days: 30 } })).statusCode).toBe(403);
    for (const days of [0, -1, 1.5, 40_000, "30"]) {
      const res = await t.app.inject({ method: "PUT", url: url("/retention"), headers: owner, payload: { days } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe("VALIDATION_FAILED");
    }
    const set = await t.app.inject({ method: "PUT", url: url("/retention"), headers: owner, payload: { days: 90 } });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ days: 90 });
    const entry = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { workspaceId: ws.id, action: "workspace.audit_retention_changed" } });
    expect(entry).toMatchObject({ actorType: "user", before: { auditRetentionDays: null }, after: { auditRetentionDays: 90 } });
  });

  it("exports the expired entries as JSON Lines, purges exactly them, and audits the purge", async () => {
    await oldEntries(other.id, [400]);
    expect(await t.app.services.auditRetention.runOnce()).toBe(2);
    expect(await keysOf(ws.id)).toEqual(["old-1-2"]);
    // Another workspace without a period keeps everything.
    expect(await keysOf(other.id)).toEqual(["old-400-0"]);

    const list = await t.app.inject({ method: "GET", url: url("/exports"), headers: owner });
    expect(list.statusCode).toBe(200);
    const [summary] = list.json().items;
    expect(list.json().items).toHaveLength(1);
    expect(summary).toMatchObject({ entryCount: 2, id: expect.any(String) });
    expect(Date.parse(summary.from)).toBeLessThan(Date.parse(summary.to));

    const download = await t.app.inject({ method: "GET", url: url(`/exports/${summary.id}`), headers: owner });
    expect(download.statusCode).toBe(200);
    expect(download.headers["content-type"]).toMatch(/^application\/x-ndjson/);
    expect(download.headers["content-disposition"]).toMatch(/attachment; filename="audit-.+\.jsonl"/);
    const lines = download.body.trimEnd().split("\n").map((line) => JSON.parse(line) as { targetKey: string; action: string; after: unknown });
    expect(lines.map((line) => line.targetKey)).toEqual(["old-400-0", "old-100-1"]);
    expect(lines[0]).toMatchObject({ action: "flag.toggled", after: { enabled: true } });
    expect(Number(download.headers["content-length"] ?? download.rawPayload.length)).toBe(summary.bytes);

    const purge = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { workspaceId: ws.id, action: "audit.purged" } });
    expect(purge).toMatchObject({ actorType: "system", targetType: "audit_export", targetId: summary.id, after: { entries: 2, retentionDays: 90 } });
    // A second pass finds nothing more.
    expect(await t.app.services.auditRetention.runOnce()).toBe(0);
  });

  it("works through a large backlog in batches, one export each", async () => {
    const job = (await import("./audit-retention")).createAuditRetention({ prisma: t.db.prisma, writing: t.app.services.writing, log: { info() {}, error() {} }, intervalMs: 60_000, batchSize: 3 });
    await oldEntries(ws.id, [200, 199, 198, 197, 196, 195, 194]);
    expect(await job.runOnce()).toBe(7);
    const exports = await t.db.prisma.auditExport.findMany({ where: { workspaceId: ws.id }, orderBy: { firstId: "asc" } });
    expect(exports.map((e) => e.entryCount)).toEqual([2, 3, 3, 1]);
    expect(await keysOf(ws.id)).toEqual(["old-1-2"]);
  });

  it("keeps the log append-only: no direct delete or update, and the purge function removes nothing unexpired", async () => {
    await expect(t.db.prisma.auditEntry.deleteMany({ where: { workspaceId: ws.id } })).rejects.toThrow(/append-only/);
    await expect(t.db.prisma.auditEntry.updateMany({ where: { workspaceId: ws.id }, data: { action: "x" } })).rejects.toThrow(/append-only/);
    const [latest] = await t.db.prisma.$queryRaw<{ max: bigint }[]>`SELECT max(id) AS max FROM audit_entries`;
    const max = latest!.max;
    const [result] = await t.db.prisma.$queryRaw<{ purged: number }[]>`SELECT ensign_purge_expired_audit(${ws.id}::uuid, ${max}::bigint) AS purged`;
    expect(result!.purged).toBe(0);
    await expect(t.db.prisma.$queryRaw`SELECT ensign_purge_expired_audit(${other.id}::uuid, ${max}::bigint)`).rejects.toThrow(/keeps its audit log forever/);
    expect(await keysOf(ws.id)).toEqual(["old-1-2"]);
    expect(await keysOf(other.id)).toEqual(["old-400-0"]);
  });

  it("keeps exports to the workspace's owners", async () => {
    const [summary] = (await t.app.inject({ method: "GET", url: url("/exports"), headers: owner })).json().items;
    const viewer = await memberHeaders(t.app, t.db, ws.id, "viewer");
    expect((await t.app.inject({ method: "GET", url: url(`/exports/${summary.id}`), headers: viewer })).statusCode).toBe(403);
    const otherOwner = await memberHeaders(t.app, t.db, other.id, "owner");
    expect((await t.app.inject({ method: "GET", url: url(`/exports/${summary.id}`, other.slug), headers: otherOwner })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "GET", url: url("/exports", other.slug), headers: otherOwner })).json().items).toEqual([]);
  });

  it("keeps everything again once the period is lifted", async () => {
    expect((await t.app.inject({ method: "PUT", url: url("/retention"), headers: owner, payload: { days: null } })).json()).toEqual({ days: null });
    await oldEntries(ws.id, [500]);
    expect(await t.app.services.auditRetention.runOnce()).toBe(0);
    expect(await keysOf(ws.id)).toContain("old-500-0");
  });
});
