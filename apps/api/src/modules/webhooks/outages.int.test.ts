import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createTestDatabase, type TestDatabase } from "../../../test/helpers/database";
import { createWorkspace, memberHeaders, unique } from "../../../test/helpers/fixtures";
import { startRedis } from "../../../test/helpers/outages";
import { Receiver } from "../../../test/helpers/webhook-receivers";

/** Deadlines against a hang on a loaded machine, not speed checks. */
const HANG_GUARD = { timeout: 30_000, interval: 100 };
/** The dispatcher runs inside each API, as in production, but looks every 200 ms and retries soon. */
const DISPATCHING = { SCHEDULER_ENABLED: "true", WEBHOOK_INTERVAL: "200ms", WEBHOOK_RETRY_BASE: "100ms", OUTBOUND_ALLOW: "127.0.0.1" };

/**
 * The outbox lives in PostgreSQL, written in each change's own transaction: a change made while
 * Redis is down is delivered all the same, and events a replica had not delivered when it
 * stopped are delivered by the replica started after it, once each and in order of commit.
 */
describe("webhook events across a Redis outage and a restart", () => {
  let database: TestDatabase;
  const receiver = new Receiver();
  const apps: TestApp[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    await receiver.start();
  });
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    for (const stop of stops) await stop();
    await receiver.stop();
    await database?.drop();
  });

  it("delivers the changes made while Redis was down, and those left by a stopped replica, once each and in order", async () => {
    const redis = await startRedis();
    stops.push(redis.stop);
    const first = await createTestApp({ database, redisUrl: redis.url, config: DISPATCHING });
    apps.push(first);
    const ws = await createWorkspace(first.db);
    const owner = await memberHeaders(first.app, first.db, ws.id, "owner");
    const inject = (app: TestApp, method: "POST" | "PUT" | "GET", url: string, payload?: Record<string, unknown>, headers: Record<string, string> = {}) =>
      app.app.inject({ method, url: `/v1/workspaces/${ws.slug}${url}`, headers: { ...owner, ...headers }, payload });
    const createFlag = async (app: TestApp) => {
      const key = unique("flag");
      const res = await inject(app, "POST", "/flags", { key, name: key, type: "boolean" });
      expect(res.statusCode, res.body).toBe(201);
      return key;
    };
    const toggle = async (app: TestApp, flag: string, enabled: boolean) => {
      const url = `/flags/${flag}/environments/production`;
      const current = await inject(app, "GET", url);
      const res = await inject(app, "PUT", `${url}/enabled`, { enabled }, { "if-match": `"${current.json().version}"` });
      expect(res.statusCode, res.body).toBe(200);
    };
    const hook = await inject(first, "POST", "/webhooks", { name: "deploy bot", url: receiver.url("/hook"), eventTypes: ["flag.*", "flag_state.*"] });
    expect(hook.statusCode, hook.body).toBe(201);
    const events = async () =>
      (await first.db.prisma.outboxEvent.findMany({ where: { workspaceId: ws.id, type: { startsWith: "flag" } }, orderBy: { id: "asc" }, select: { id: true } })).map((e) =>
        String(e.id),
      );
    const received = () => receiver.on("/hook").map((r) => String(r.json.id));

    // Redis goes away: changes still commit, each with its event, and the event still goes out.
    await redis.stop();
    const during = await createFlag(first);
    await toggle(first, during, true);
    await expect.poll(received, HANG_GUARD).toHaveLength(2);
    expect(received()).toEqual(await events());

    // The receiver is down, more changes commit, and the replica stops before it could deliver them.
    await receiver.stop({ graceful: true });
    await toggle(first, during, false);
    const later = await createFlag(first);
    await toggle(first, later, true);
    await expect
      .poll(async () => (await first.db.prisma.webhookDelivery.count({ where: { workspaceId: ws.id, status: "pending", attempts: { gt: 0 } } })) > 0, HANG_GUARD)
      .toBe(true);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    // Redis and the receiver come back; a replica started now delivers what the stopped one left.
    const again = await startRedis(redis.port);
    stops.push(again.stop);
    await receiver.start();
    const second = await createTestApp({ database, redisUrl: again.url, config: DISPATCHING });
    apps.push(second);
    const expected = (
      await second.db.prisma.outboxEvent.findMany({ where: { workspaceId: ws.id, type: { startsWith: "flag" } }, orderBy: { id: "asc" }, select: { id: true } })
    ).map((e) => String(e.id));
    expect(expected).toHaveLength(5);
    await expect.poll(received, HANG_GUARD).toHaveLength(expected.length);
    expect(received()).toEqual(expected);
    expect(receiver.on("/hook").map((r) => [r.json.type, r.json.flag])).toEqual([
      ["flag.created", during],
      ["flag_state.toggled", during],
      ["flag_state.toggled", during],
      ["flag.created", later],
      ["flag_state.toggled", later],
    ]);
    const deliveries = await second.db.prisma.webhookDelivery.findMany({ where: { workspaceId: ws.id }, orderBy: { eventId: "asc" }, select: { status: true } });
    expect(deliveries.map((d) => d.status)).toEqual(Array(5).fill("delivered"));
  });
});
