import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { auditOf, flagsClient, type FlagsClient } from "../../../test/helpers/flags";
import { openDatabase, type Database } from "../../infra/db/database";
import { createWriter } from "../../infra/writer";
import { readDelta } from "../snapshots/snapshot-deltas";
import { createScheduleRunner } from "./schedule-runner";

const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("schedules", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let editor: FlagsClient;
  const schedulesOf = (key: string, env = "production") => `/${key}/environments/${env}/schedules`;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    editor = flagsClient(t.app, ws.slug, { ...(await memberHeaders(t.app, t.db, ws.id, "editor")), "user-agent": "schedule-test" });
    const admin = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    for (const key of ["launch", "ramped", "doomed", "listed"]) expect((await admin.create({ key, name: key })).statusCode).toBe(201);
  });
  afterAll(() => t.close());

  const runner = (db: Database = t.db) => createScheduleRunner({ writing: createWriter({ prisma: db.prisma, notifier: t.app.services.notifier, revocations: t.app.services.revocations, readDelta }), log: silent, intervalMs: 60_000 });

  it("creates, lists and cancels schedules, audited", async () => {
    const created = await editor.call("POST", schedulesOf("listed"), { payload: { runAt: at(HOUR), action: { type: "enable" } } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ flag: "listed", environment: "production", action: { type: "enable" }, status: "pending", rampId: null, createdBy: expect.stringContaining("@") });
    const ramp = await editor.call("POST", `${schedulesOf("listed")}/ramp`, { payload: { steps: [{ at: at(2 * HOUR), percentage: 10 }, { at: at(3 * HOUR), percentage: 50 }] } });
    expect(ramp.statusCode).toBe(201);
    const { rampId, items } = ramp.json();
    expect(items.map((s: { action: unknown; rampId: string }) => [s.action, s.rampId])).toEqual([
      [{ type: "set_rollout", percentage: 10 }, rampId],
      [{ type: "set_rollout", percentage: 50 }, rampId],
    ]);
    const list = (await editor.call("GET", `${schedulesOf("listed")}?status=pending`)).json();
    expect(list.total).toBe(3);
    expect(list.items.map((s: { id: string }) => s.id)).toEqual([created.json().id, items[0].id, items[1].id]);

    const cancelled = await editor.call("DELETE", `${schedulesOf("listed")}/${items[0].id}?ramp=true`);
    expect(cancelled.json().items.map((s: { status: string }) => s.status)).toEqual(["cancelled", "cancelled"]);
    const again = await editor.call("DELETE", `${schedulesOf("listed")}/${items[0].id}`);
    expect(again.statusCode).toBe(409);
    expect((await editor.call("GET", `${schedulesOf("listed")}?status=pending`)).json().total).toBe(1);
    expect((await editor.call("DELETE", `${schedulesOf("listed")}/${created.json().id}`)).json().items).toHaveLength(1);
    expect((await editor.call("GET", `${schedulesOf("listed")}?status=cancelled`)).json().total).toBe(3);
    expect((await auditOf(t.db, ws.id, "schedule.created")).map((a) => a.actorRole)).toEqual(["editor", "editor", "editor"]);
    const cancels = await auditOf(t.db, ws.id, "schedule.cancelled");
    expect(cancels.map((a) => [a.userAgent, a.before, (a.after as { status: string }).status])).toEqual([
      ["schedule-test", { scheduleId: items[0].id, status: "pending" }, "cancelled"],
      ["schedule-test", { scheduleId: items[1].id, status: "pending" }, "cancelled"],
      ["schedule-test", { scheduleId: created.json().id, status: "pending" }, "cancelled"],
    ]);
  });

  it("names bad schedule fields with 400", async () => {
    const cases: [string, unknown, string][] = [
      ["", { runAt: at(-10 * 60_000), action: { type: "enable" } }, "body.runAt"],
      ["", { runAt: "next tuesday", action: { type: "enable" } }, "body.runAt"],
      ["", { runAt: at(HOUR), action: { type: "set_rollout", percentage: 150 } }, "body.action.percentage"],
      ["", { runAt: at(HOUR), action: { type: "set_rollout", percentage: 12.3456 } }, "body.action.percentage"],
      ["", { runAt: at(HOUR), action: { type: "explode" } }, "body.action.type"],
      ["/ramp", { steps: [{ at: at(2 * HOUR), percentage: 10 }, { at: at(HOUR), percentage: 20 }] }, "body.steps.1.at"],
      ["/ramp", { steps: [] }, "body.steps"],
    ];
    for (const [suffix, payload, path] of cases) {
      const res = await editor.call("POST", `${schedulesOf("listed")}${suffix}`, { payload });
      expect({ path, status: res.statusCode }).toEqual({ path, status: 400 });
      expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
  });

  it("applies due schedules in time order through the same path as a manual write, as the system actor", async () => {
    await editor.call("POST", schedulesOf("launch"), { payload: { runAt: at(HOUR), action: { type: "enable" } } });
    await editor.call("POST", `${schedulesOf("ramped")}/ramp`, {
      payload: { steps: [{ at: at(HOUR), percentage: 10 }, { at: at(2 * HOUR), percentage: 50 }, { at: at(3 * HOUR), percentage: 100 }] },
    });
    const snapshot = async () => (await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: ws.id, key: "production" } })).snapshotVersion;
    const before = await snapshot();

    expect(await runner().runOnce(new Date(Date.now() + 1.5 * HOUR))).toEqual({ applied: 2, failed: 0, sweptOverrides: 0 });
    expect((await editor.state("launch", "production")).json()).toMatchObject({ enabled: true, version: 2 });
    expect((await editor.state("ramped", "production")).json().fallthrough).toEqual({
      split: { allocations: [{ variant: "on", weight: 10_000 }, { variant: "off", weight: 90_000 }] },
    });
    expect(await snapshot()).toBe(before + 2);

    expect((await runner().runOnce(new Date(Date.now() + 4 * HOUR))).applied).toBe(2);
    expect((await editor.state("ramped", "production")).json()).toMatchObject({ fallthrough: { variant: "on" }, version: 4 });
    const applied = await auditOf(t.db, ws.id, "schedule.applied");
    expect(applied.map((a) => [a.actorType, a.actorId, a.targetKey, a.environmentKey])).toEqual([
      ["system", null, "launch", "production"],
      ["system", null, "ramped", "production"],
      ["system", null, "ramped", "production"],
      ["system", null, "ramped", "production"],
    ]);
    expect(applied[0]).toMatchObject({ before: { enabled: false }, after: { enabled: true, action: { type: "enable" } } });
    const statuses = await t.db.prisma.schedule.findMany({ where: { workspaceId: ws.id, flag: { key: { in: ["launch", "ramped"] } } } });
    expect(statuses.every((s) => s.status === "applied" && s.appliedAt !== null)).toBe(true);
  });

  it("marks a schedule that can no longer apply as failed, with the reason, and changes nothing", async () => {
    const created = (await editor.call("POST", schedulesOf("doomed"), { payload: { runAt: at(HOUR), action: { type: "enable" } } })).json();
    const admin = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    await admin.call("POST", "/doomed/archive", { version: 1 });
    expect(await runner().runOnce(new Date(Date.now() + 2 * HOUR))).toMatchObject({ applied: 0, failed: 1 });
    const row = await t.db.prisma.schedule.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ status: "failed", error: expect.stringContaining("archived") });
    expect((await t.db.prisma.flagState.findFirstOrThrow({ where: { flag: { key: "doomed", workspaceId: ws.id }, environment: { key: "production" } } })).enabled).toBe(false);
    const [failed] = await auditOf(t.db, ws.id, "schedule.failed");
    expect(failed).toMatchObject({ actorType: "system", targetKey: "doomed", after: { scheduleId: created.id } });
  });

  describe("with several replicas", () => {
    let second: Database;
    let third: Database;
    beforeAll(async () => {
      second = await openDatabase({ url: t.database.url, dataDir: "memory://", poolSize: 3 });
      third = await openDatabase({ url: t.database.url, dataDir: "memory://", poolSize: 3 });
    });
    afterAll(async () => {
      await second.close();
      await third.close();
    });

    it("applies each due schedule exactly once when runners race over them", async () => {
      const admin = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const key = `race-${i}`;
        await admin.create({ key, name: key });
        for (const [n, env] of ["development", "staging", "production"].entries()) {
          const ramp = await editor.call("POST", `${schedulesOf(key, env)}/ramp`, {
            payload: { steps: [{ at: at(HOUR), percentage: 5 + n }, { at: at(HOUR + 60_000), percentage: 20 + n }] },
          });
          ids.push(...ramp.json().items.map((s: { id: string }) => s.id));
        }
      }
      const now = new Date(Date.now() + 2 * HOUR);
      const outcomes = await Promise.all([runner().runOnce(now), runner(second).runOnce(now), runner(third).runOnce(now)]);
      expect(outcomes.reduce((sum, o) => sum + o.applied, 0)).toBe(ids.length);
      const audits = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "schedule.applied", targetKey: { startsWith: "race-" } } });
      const perSchedule = new Map<string, number>();
      for (const audit of audits) {
        const id = (audit.after as { scheduleId: string }).scheduleId;
        perSchedule.set(id, (perSchedule.get(id) ?? 0) + 1);
      }
      expect([...perSchedule.keys()].sort()).toEqual([...ids].sort());
      expect([...perSchedule.values()].every((count) => count === 1)).toBe(true);
      const states = await t.db.prisma.flagState.findMany({ where: { workspaceId: ws.id, flag: { key: { startsWith: "race-" } } } });
      // Two steps each: every state moved exactly two versions and ended on its last step.
      expect(states.every((s) => s.version === 3)).toBe(true);
      expect(await t.db.prisma.schedule.count({ where: { id: { in: ids }, status: "applied" } })).toBe(ids.length);
    });

    it("sweeps expired tenant and user overrides exactly once, audited as system, leaving live ones", async () => {
      const flag = await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "launch" } });
      const [development, , production] = ws.environments;
      const tenants = await Promise.all(["t1", "t2", "t3", "t4"].map((key) => t.db.prisma.tenant.create({ data: { workspaceId: ws.id, key, name: key } })));
      const past = new Date(Date.now() - 60_000);
      for (const [i, tenant] of tenants.entries()) {
        await t.db.prisma.tenantOverride.create({
          data: { workspaceId: ws.id, flagId: flag.id, environmentId: i % 2 ? development!.id : production!.id, tenantId: tenant.id, variant: "on", source: "workspace_admin", expiresAt: i === 3 ? new Date(Date.now() + HOUR) : past },
        });
      }
      for (const userKey of ["u1", "u2"]) {
        await t.db.prisma.userOverride.create({ data: { workspaceId: ws.id, flagId: flag.id, environmentId: production!.id, userKey, variant: "on", expiresAt: past } });
      }
      const before = await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, orderBy: { sortOrder: "asc" } });
      const outcomes = await Promise.all([runner().runOnce(), runner(second).runOnce(), runner(third).runOnce()]);
      expect(outcomes.reduce((sum, o) => sum + o.sweptOverrides, 0)).toBe(5);
      expect((await t.db.prisma.tenantOverride.findMany({ where: { workspaceId: ws.id } })).map((o) => o.tenantId)).toEqual([tenants[3]!.id]);
      expect(await t.db.prisma.userOverride.count({ where: { workspaceId: ws.id } })).toBe(0);
      const tenantAudits = await auditOf(t.db, ws.id, "tenant_override.expired");
      expect(tenantAudits.map((a) => [a.actorType, a.tenantKey, a.targetType, a.targetKey]).sort()).toEqual([
        ["system", "t1", "tenant_override", "launch"],
        ["system", "t2", "tenant_override", "launch"],
        ["system", "t3", "tenant_override", "launch"],
      ]);
      expect(tenantAudits[0]!.before).toMatchObject({ variant: "on", source: "workspace_admin", locked: false });
      expect(await auditOf(t.db, ws.id, "user_override.expired")).toHaveLength(2);
      const after = await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, orderBy: { sortOrder: "asc" } });
      expect(after.map((e, i) => e.snapshotVersion > before[i]!.snapshotVersion)).toEqual([true, false, true]);
    });
  });

  it("runs inside the API when SCHEDULER_ENABLED is on, and stops with it", async () => {
    const replica = await createTestApp({ database: t.database, config: { SCHEDULER_ENABLED: "true", SCHEDULER_INTERVAL: "100ms" } });
    try {
      const flag = await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "listed" } });
      const environment = ws.environments[0]!;
      const schedule = await t.db.prisma.schedule.create({ data: { workspaceId: ws.id, flagId: flag.id, environmentId: environment.id, runAt: new Date(), action: { type: "enable" } } });
      let status = "pending";
      for (let i = 0; i < 50 && status === "pending"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await t.db.prisma.schedule.findUniqueOrThrow({ where: { id: schedule.id } })).status;
      }
      expect(status).toBe("applied");
    } finally {
      await replica.close();
    }
  });
});
