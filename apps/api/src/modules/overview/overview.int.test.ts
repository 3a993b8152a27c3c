import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { flagsClient, type FlagsClient } from "../../../test/helpers/flags";

describe("the workspace overview", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  let admin: FlagsClient;
  let viewer: Record<string, string>;
  const overview = (env = "production", headers = viewer, slug = ws.slug) => t.app.inject({ method: "GET", url: `/v1/workspaces/${slug}/overview?env=${env}`, headers });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    admin = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    viewer = await memberHeaders(t.app, t.db, ws.id, "viewer");
    for (const key of ["alpha", "bravo", "charlie", "delta", "quiet", "gone"]) expect((await admin.create({ key, name: key.toUpperCase(), trackAnalytics: key !== "quiet" })).statusCode).toBe(201);
    await admin.patchState("alpha", "production", 1, { enabled: true, fallthrough: { variant: "on" } });
    await admin.patchState("bravo", "production", 1, { enabled: true, fallthrough: { split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } } });
    await admin.call("POST", "/gone/archive", { version: 1 });
    const production = ws.environments.find((e) => e.key === "production")!;
    await t.db.prisma.environment.update({ where: { id: production.id }, data: { masterSwitchOn: true, masterSwitchReason: "incident 42", masterSwitchChangedAt: new Date() } });
    const flagId = async (key: string) => (await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key } })).id;
    const inAnHour = new Date(Date.now() + 3_600_000);
    await t.db.prisma.schedule.create({ data: { workspaceId: ws.id, flagId: await flagId("charlie"), environmentId: production.id, runAt: inAnHour, action: { type: "enable" } } });
    await t.db.prisma.schedule.create({ data: { workspaceId: ws.id, flagId: await flagId("gone"), environmentId: production.id, runAt: inAnHour, action: { type: "enable" } } });
    const hour = new Date(Date.now() - (Date.now() % 3_600_000));
    const bucket = (flagKey: string, evaluations: number, at = hour) => ({ workspaceId: ws.id, environmentId: production.id, flagKey, bucketStart: at, evaluations });
    await t.db.prisma.flagStatBucket.createMany({
      data: [bucket("alpha", 900), bucket("alpha", 100, new Date(hour.getTime() - 3_600_000)), bucket("bravo", 50), bucket("charlie", 5), bucket("delta", 7, new Date(Date.now() - 10 * 86_400_000)), bucket("quiet", 5_000)],
    });
    // An old audit entry is not a change of the last day; another workspace's changes never count.
    await t.db.prisma.auditEntry.create({ data: { workspaceId: ws.id, at: new Date(Date.now() - 2 * 86_400_000), actorType: "system", action: "flag.updated", targetType: "flag", targetKey: "ancient" } });
    await flagsClient(t.app, other.slug, await memberHeaders(t.app, t.db, other.id, "admin")).create({ key: "elsewhere", name: "Elsewhere" });
  });
  afterAll(() => t.close());

  it("counts live flags by status per environment with each master switch", async () => {
    const res = await overview();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.environments.map((e: { key: string }) => e.key)).toEqual(["development", "staging", "production"]);
    expect(body.environments[2]).toMatchObject({ flags: { on: 1, partial: 1, off: 3 }, masterSwitch: { isOn: true, reason: "incident 42" } });
    expect(body.environments[0]).toMatchObject({ flags: { on: 0, partial: 0, off: 5 }, masterSwitch: { isOn: false, reason: null, changedAt: null } });
  });

  it("lists the last day's changes, the pending schedules of live flags, and the most and least evaluated flags", async () => {
    const body = (await overview()).json();
    const total = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, at: { gt: new Date(Date.now() - 86_400_000) } } });
    expect(body.changes.total).toBe(total);
    expect(body.changes.latest.length).toBeLessThanOrEqual(8);
    expect(body.changes.latest.every((c: { targetKey: string | null }) => c.targetKey !== "ancient" && c.targetKey !== "elsewhere")).toBe(true);
    expect(body.schedules).toEqual([expect.objectContaining({ flag: "charlie", flagName: "CHARLIE", environment: "production", action: "enable" })]);
    expect(body.usage.most.map((u: { flag: string; evaluations: number }) => [u.flag, u.evaluations])).toEqual([["alpha", 1000], ["bravo", 50], ["charlie", 5]]);
    // Least: delta's evaluations are older than the window; quiet does not track analytics.
    expect(body.usage.least.map((u: { flag: string }) => u.flag)).toEqual(["delta", "charlie", "bravo", "alpha"]);
    expect((await overview("staging")).json().usage.most).toEqual([]);
  });

  it("refuses unknown environments, missing ones, and other workspaces' members", async () => {
    expect((await overview("nowhere")).statusCode).toBe(404);
    expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/overview`, headers: viewer })).statusCode).toBe(400);
    expect((await overview("production", await memberHeaders(t.app, t.db, other.id, "owner"))).statusCode).toBe(404);
    expect((await overview("production", {})).statusCode).toBe(401);
  });
});
