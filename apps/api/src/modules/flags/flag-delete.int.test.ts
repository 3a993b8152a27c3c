import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { auditOf, createTenants, flagsClient, type FlagsClient } from "../../../test/helpers/flags";

describe("deleting a flag for good", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let admin: FlagsClient;
  let flagId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    admin = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    const created = await admin.create({ key: "old_banner", name: "Old banner" });
    expect(created.statusCode).toBe(201);
    flagId = created.json().id;
    const [tenant] = await createTenants(t.db, ws.id, ["acme"]);
    const production = ws.environments[2]!;
    await t.db.prisma.tenantOverride.create({ data: { workspaceId: ws.id, flagId, environmentId: production.id, tenantId: tenant!.id, variant: "on", source: "workspace_admin" } });
    await t.db.prisma.userOverride.create({ data: { workspaceId: ws.id, flagId, environmentId: production.id, userKey: "user-1", variant: "on" } });
    await t.db.prisma.flagStatBucket.create({ data: { workspaceId: ws.id, environmentId: production.id, flagKey: "old_banner", bucketStart: new Date(), evaluations: 12n } });
  });
  afterAll(() => t.close());

  const remove = (key: string, version: number | undefined, confirm: unknown, client = admin) => client.call("DELETE", `/${key}`, { version, payload: { confirm } });

  it("refuses a flag that is not archived, a wrong confirmation and a missing If-Match, changing nothing", async () => {
    const live = await remove("old_banner", 1, "old_banner");
    expect(live.statusCode).toBe(409);
    expect(live.json().error.message).toMatch(/archive it before deleting it/);
    expect((await admin.call("POST", "/old_banner/archive", { version: 1 })).statusCode).toBe(200);
    const wrong = await remove("old_banner", 2, "old-banner");
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.details.issues).toEqual([{ path: "body.confirm", message: "must be 'old_banner'" }]);
    expect((await remove("old_banner", undefined, "old_banner")).statusCode).toBe(428);
    expect((await remove("old_banner", 1, "old_banner")).statusCode).toBe(412);
    const viewer = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "viewer"));
    expect((await remove("old_banner", 2, "old_banner", viewer)).statusCode).toBe(403);
    expect(await t.db.prisma.flag.count({ where: { id: flagId } })).toBe(1);
  });

  it("deletes an archived flag with its states, overrides and statistics in one audited change, freeing the key", async () => {
    const before = await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, orderBy: { key: "asc" } });
    const res = await remove("old_banner", 2, "old_banner");
    expect(res.statusCode).toBe(204);
    expect((await admin.get("old_banner")).statusCode).toBe(404);
    expect(await t.db.prisma.flagState.count({ where: { flagId } })).toBe(0);
    expect(await t.db.prisma.tenantOverride.count({ where: { flagId } })).toBe(0);
    expect(await t.db.prisma.userOverride.count({ where: { flagId } })).toBe(0);
    expect(await t.db.prisma.flagStatBucket.count({ where: { workspaceId: ws.id, flagKey: "old_banner" } })).toBe(0);
    const [entry] = await auditOf(t.db, ws.id, "flag.deleted");
    expect(entry).toMatchObject({ targetKey: "old_banner", before: { key: "old_banner", name: "Old banner" }, after: { removed: { states: 3, tenantOverrides: 1, userOverrides: 1, schedules: 0, statBuckets: 1 } } });
    const after = await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, orderBy: { key: "asc" } });
    expect(after.map((e) => e.snapshotVersion)).toEqual(before.map((e) => e.snapshotVersion + 1));
    expect((await admin.create({ key: "old_banner", name: "A new banner" })).statusCode).toBe(201);
  });
});
