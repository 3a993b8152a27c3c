import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, TEST_JWT_SECRET, type TestApp } from "../../../test/helpers/app";
import { type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createWorkspace, memberHeaders, unique } from "../../../test/helpers/fixtures";
import { Receiver, startSmtp } from "../../../test/helpers/webhook-receivers";
import { parseOutboundAllow } from "../../infra/outbound";
import { createWebhookDispatcher, type WebhookDispatcher } from "./dispatcher";
import { verifySignature, webhookSecretSealer } from "./signing";

const silent = { warn: () => {}, error: (...args: unknown[]) => console.error(...args) };
const HOUR = 3_600_000;

describe("webhooks and notifications", () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const receiver = new Receiver();
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let owner: Headers;
  let editor: Headers;
  /** The dispatchers' clock: moved forward by the tests, never waited for. */
  let clock: Date;

  function dispatcher(overrides: { outbound?: string; smtpUrl?: string } = {}): WebhookDispatcher {
    return createWebhookDispatcher({
      prisma: t.db.prisma,
      sql: t.db.sql,
      sealer: webhookSecretSealer(TEST_JWT_SECRET),
      outbound: parseOutboundAllow(overrides.outbound ?? "127.0.0.1"),
      log: silent,
      intervalMs: 60_000,
      retryBaseMs: 30_000,
      retryForMs: 24 * HOUR,
      timeoutMs: 5_000,
      retentionMs: 30 * 24 * HOUR,
      smtp: overrides.smtpUrl && t.config.smtp ? { ...t.config.smtp, url: overrides.smtpUrl } : t.config.smtp,
      now: () => clock,
    });
  }

  const advance = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };

  async function createHook(body: Record<string, unknown>, workspace = ws.slug) {
    const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${workspace}/webhooks`, headers: owner, payload: { name: unique("hook"), ...body } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret?: string; kind: string };
  }

  async function createFlag(key = unique("flag")) {
    const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/flags`, headers: owner, payload: { key, name: key, type: "boolean" } });
    expect(res.statusCode, res.body).toBe(201);
    return key;
  }

  async function toggle(flag: string, env: string, enabled: boolean) {
    const url = `/v1/workspaces/${ws.slug}/flags/${flag}/environments/${env}`;
    const current = await t.app.inject({ method: "GET", url, headers: owner });
    const res = await t.app.inject({ method: "PUT", url: `${url}/enabled`, headers: { ...owner, "if-match": `"${current.json().version}"` }, payload: { enabled } });
    expect(res.statusCode, res.body).toBe(200);
  }

  /** The workspace's outbox ids after `after`, in id order. */
  async function outboxIds(after: bigint = 0n): Promise<string[]> {
    const rows = await t.db.prisma.outboxEvent.findMany({ where: { workspaceId: ws.id, id: { gt: after } }, orderBy: { id: "asc" }, select: { id: true } });
    return rows.map((row) => String(row.id));
  }

  async function drain(d: WebhookDispatcher = dispatcher()) {
    for (let i = 0; i < 20; i++) {
      const { fannedOut, attempted } = await d.runOnce();
      if (fannedOut === 0 && attempted === 0) return;
    }
    throw new Error("the dispatcher kept finding work");
  }

  async function deleteAllHooks() {
    await t.db.prisma.webhook.deleteMany({ where: { workspaceId: ws.id } });
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    await receiver.start();
    t = await createTestApp({ config: { OUTBOUND_ALLOW: "127.0.0.1", SMTP_URL: smtp.url, SMTP_FROM: "Ensign <flags@example.test>" } });
    ws = await createWorkspace(t.db);
    owner = await memberHeaders(t.app, t.db, ws.id, "owner");
    editor = await memberHeaders(t.app, t.db, ws.id, "editor");
  });

  afterAll(async () => {
    await t?.close();
    await receiver.stop();
    await smtp?.close();
  });

  beforeEach(async () => {
    clock = new Date();
    receiver.received = [];
    receiver.status = 200;
    receiver.delayMs = 0;
    smtp.mails.length = 0;
    if (!receiver.running) await receiver.start();
    await deleteAllHooks();
  });

  it("delivers every event of a run to a webhook and by e-mail, signed and in order of commit", async () => {
    const hook = await createHook({ url: receiver.url("/all") });
    expect(hook.secret).toMatch(/^whsec_/);
    const start = BigInt((await outboxIds()).at(-1)!) - 1n; // the webhook's own `webhook.created`
    await createHook({ kind: "email", recipients: ["ops@example.test", "lead@example.test"] });

    // Writers racing in one workspace: flags created at once, then changes to them.
    const flags = await Promise.all(Array.from({ length: 6 }, () => createFlag()));
    await toggle(flags[0]!, "production", true);
    await toggle(flags[1]!, "staging", true);
    const tenant = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/tenants`, headers: owner, payload: { key: unique("tenant"), name: "Acme" } });
    expect(tenant.statusCode).toBe(201);

    await drain();

    const expected = await outboxIds(start);
    const got = receiver.on("/all");
    expect(got.map((r) => r.json.id)).toEqual(expected);
    // The outbox follows the audit log's order, and the audit log the order of commit.
    const audit = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, id: { gt: 0 } }, orderBy: { id: "asc" }, select: { action: true } });
    expect(got.map((r) => r.json.type)).toEqual(audit.slice(audit.length - expected.length).map((a) => a.action));
    expect(got.filter((r) => r.json.type === "flag.created").map((r) => r.json.flag)).toEqual(expect.arrayContaining(flags));

    const secret = hook.secret!;
    for (const r of got) {
      const header = String(r.headers["ensign-signature"]);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verifySignature(secret, header, r.body, Math.floor(clock.getTime() / 1000))).toBe(true);
      expect(verifySignature("whsec_not-the-secret", header, r.body, Math.floor(clock.getTime() / 1000))).toBe(false);
      expect(r.headers["idempotency-key"]).toBe(r.json.id);
      expect(r.headers["ensign-event"]).toBe(r.json.type);
      expect(r.json.workspace).toMatchObject({ id: ws.id, slug: ws.slug });
    }
    const toggled = got.find((r) => r.json.type === "flag_state.toggled" && r.json.environment === "production")!;
    expect(toggled.json).toMatchObject({ flag: flags[0], before: { enabled: false }, after: { enabled: true }, actor: { type: "user" } });

    // E-mail: one message per event after the e-mail notification's own creation, in the same order, to both addresses.
    expect(smtp.mails.map((m) => m.eventIds[0])).toEqual(expected.slice(1));
    expect(smtp.mails.every((m) => m.to.join() === "ops@example.test,lead@example.test")).toBe(true);
    expect(smtp.mails.find((m) => m.subject.includes("Flag state toggled"))?.subject).toContain(flags[0]);

    const log = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/webhooks/${hook.id}/deliveries?limit=200`, headers: owner });
    expect(log.statusCode).toBe(200);
    const items = log.json().items as { status: string; responseStatus: number; latencyMs: number; eventId: string }[];
    expect(items.map((d) => d.eventId).reverse()).toEqual(expected);
    expect(items.every((d) => d.status === "delivered" && d.responseStatus === 200 && d.latencyMs >= 0)).toBe(true);
  });

  it("tells whether a pass would find anything, so a change in a workspace without webhooks costs one statement", async () => {
    const d = dispatcher();
    await drain(d);
    expect(await d.hasWork()).toBe(false);
    const flag = await createFlag();
    await toggle(flag, "production", true);
    expect(await d.hasWork()).toBe(false);

    await createHook({ url: receiver.url("/probe") });
    expect(await d.hasWork()).toBe(true);
    await drain(d);
    expect(await d.hasWork()).toBe(false);
    await toggle(flag, "production", false);
    expect(await d.hasWork()).toBe(true);

    // A failed attempt is due again only after its backoff.
    await receiver.stop();
    await drain(d);
    expect(await d.hasWork()).toBe(false);
    advance(30_000);
    expect(await d.hasWork()).toBe(true);
  });

  it("retries e-mail while the SMTP server is down and sends each event once, in order, when it is back", async () => {
    const gone = await startSmtp();
    await gone.close();
    const d = dispatcher({ smtpUrl: gone.url });
    const hook = await createHook({ kind: "email", recipients: ["ops@example.test"], eventTypes: ["flag.*", "flag_state.*"] });
    await drain(d);
    const flag = await createFlag();
    await toggle(flag, "development", true);
    await drain(d);

    const waiting = await t.db.prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { eventId: "asc" } });
    expect(waiting.map((w) => [w.status, w.attempts])).toEqual([
      ["pending", 1],
      ["pending", 0],
    ]);
    expect(waiting[0]!.error).toMatch(/ECONNREFUSED/);

    const back = await startSmtp(gone.port);
    try {
      advance(30_000);
      await drain(d);
      expect(back.mails.map((m) => m.eventIds[0])).toEqual(waiting.map((w) => String(w.eventId)));
      expect(back.mails.map((m) => m.subject)).toEqual([expect.stringContaining(flag), expect.stringContaining("Flag state toggled")]);
      const done = await t.db.prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { eventId: "asc" } });
      expect(done.map((w) => [w.status, w.attempts])).toEqual([
        ["delivered", 2],
        ["delivered", 1],
      ]);
    } finally {
      await back.close();
    }
  });

  it("keeps events for a receiver that is down and delivers them, once each and in order, when it is back", async () => {
    const hook = await createHook({ url: receiver.url("/flaky"), eventTypes: ["flag.*", "flag_state.*"] });
    const d = dispatcher();
    await drain(d);
    await receiver.stop();

    const flag = await createFlag();
    await toggle(flag, "development", true);
    await toggle(flag, "development", false);
    await drain(d);

    // The head failed and was put back; the events after it wait their turn, unattempted.
    const waiting = await t.db.prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { eventId: "asc" } });
    expect(waiting.map((w) => [w.status, w.attempts])).toEqual([
      ["pending", 1],
      ["pending", 0],
      ["pending", 0],
    ]);
    expect(waiting[0]!.error).toMatch(/ECONNREFUSED/);

    // Retries back off: 30 s, then 60 s, then 120 s ...
    advance(29_000);
    expect((await d.runOnce()).attempted).toBe(0);
    advance(1_000);
    expect((await d.runOnce()).attempted).toBe(1);
    advance(59_000);
    expect((await d.runOnce()).attempted).toBe(0);
    advance(1_000);
    expect((await d.runOnce()).attempted).toBe(1);

    await receiver.start();
    advance(120_000);
    await drain(d);
    const got = receiver.on("/flaky");
    expect(got.map((r) => r.json.type)).toEqual(["flag.created", "flag_state.toggled", "flag_state.toggled"]);
    expect(new Set(got.map((r) => r.json.id)).size).toBe(3);
    expect(got[0]!.headers["ensign-delivery-attempt"]).toBe("4");
    const done = await t.db.prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { eventId: "asc" } });
    expect(done.map((w) => w.status)).toEqual(["delivered", "delivered", "delivered"]);
  });

  it("marks a delivery failed after a day of retries, then goes on with the next event", async () => {
    const hook = await createHook({ url: receiver.url("/down"), eventTypes: ["flag.created"] });
    receiver.status = 503;
    const d = dispatcher();
    await createFlag();
    await createFlag();
    await drain(d);
    for (let hours = 0; hours < 30; hours++) {
      advance(HOUR);
      await d.runOnce();
    }
    const rows = await t.db.prisma.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { eventId: "asc" } });
    expect(rows[0]).toMatchObject({ status: "failed", responseStatus: 503 });
    expect(rows[0]!.attempts).toBeGreaterThan(5);
    expect(rows[0]!.completedAt!.getTime() - rows[0]!.createdAt.getTime()).toBeLessThanOrEqual(25 * HOUR);
    // The next event waited its turn, and has a day of retries of its own from its first attempt.
    expect(rows[1]).toMatchObject({ status: "pending" });
    expect(rows[1]!.attempts).toBeGreaterThan(0);

    receiver.status = 200;
    advance(HOUR);
    await drain(d);
    expect(receiver.on("/down")).toHaveLength(1);
    const listed = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/webhooks`, headers: owner });
    expect(listed.json().items[0]).toMatchObject({ failed: 1, pending: 0 });

    // Redelivery sends the failed event again, with its own id as the idempotency key.
    const failed = rows[0]!;
    const again = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`, headers: owner });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ status: "pending", eventId: String(failed.eventId) });
    const twice = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`, headers: owner });
    expect(twice.statusCode).toBe(409);
    await drain(d);
    expect(receiver.on("/down").at(-1)!.headers["idempotency-key"]).toBe(String(failed.eventId));
    expect((await auditOf(t.db, ws.id, "webhook.redelivered")).length).toBe(1);
  });

  it("has exactly one of two dispatchers deliver each event (FOR UPDATE SKIP LOCKED), still in order per webhook", async () => {
    await createHook({ url: receiver.url("/a"), eventTypes: ["flag.created"] });
    await createHook({ url: receiver.url("/b"), eventTypes: ["flag.created"] });
    const flags = [];
    for (let i = 0; i < 12; i++) flags.push(await createFlag());
    receiver.delayMs = 15;
    const first = dispatcher();
    const second = dispatcher();
    const passes = await Promise.all([first.runOnce(), second.runOnce(), first.runOnce(), second.runOnce()]);
    await drain(first);
    expect(passes.reduce((sum, p) => sum + p.attempted, 0)).toBeGreaterThan(0);
    for (const path of ["/a", "/b"]) {
      const got = receiver.on(path).map((r) => r.json.flag);
      expect(got).toEqual(flags);
    }
    const attempts = await t.db.prisma.webhookDelivery.findMany({ where: { workspaceId: ws.id }, select: { attempts: true, status: true } });
    expect(attempts.every((a) => a.attempts === 1 && a.status === "delivered")).toBe(true);
  });

  it("sends only what the filters pass: event types, environments, flags and tenants", async () => {
    const watched = await createFlag();
    const other = await createFlag();
    const tenantKey = unique("tenant");
    expect((await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/tenants`, headers: owner, payload: { key: tenantKey, name: "Acme" } })).statusCode).toBe(201);
    await createHook({ url: receiver.url("/prod"), eventTypes: ["flag_state.toggled"], environments: ["production"] });
    await createHook({ url: receiver.url("/flag"), flags: [watched] });
    await createHook({ url: receiver.url("/tenant"), tenants: [tenantKey], eventTypes: ["tenant_override.*"] });

    await toggle(watched, "production", true);
    await toggle(other, "production", true);
    await toggle(watched, "staging", true);
    const override = await t.app.inject({
      method: "PUT",
      url: `/v1/workspaces/${ws.slug}/flags/${watched}/environments/production/tenant-overrides/${tenantKey}`,
      headers: owner,
      payload: { variant: "on" },
    });
    expect(override.statusCode, override.body).toBe(201);
    await drain();

    expect(receiver.on("/prod").map((r) => [r.json.flag, r.json.environment])).toEqual([
      [watched, "production"],
      [other, "production"],
    ]);
    expect(receiver.on("/flag").map((r) => [r.json.type, r.json.environment])).toEqual([
      ["flag_state.toggled", "production"],
      ["flag_state.toggled", "staging"],
      ["tenant_override.set", "production"],
    ]);
    expect(receiver.on("/tenant").map((r) => [r.json.type, r.json.tenant, r.json.flag])).toEqual([["tenant_override.set", tenantKey, watched]]);
  });

  it("posts readable Block Kit messages to a Slack incoming webhook", async () => {
    await createHook({ kind: "slack", url: receiver.url("/slack"), eventTypes: ["flag_state.toggled"] });
    const flag = await createFlag();
    await toggle(flag, "production", true);
    await drain();
    const [message] = receiver.on("/slack");
    expect(message).toBeDefined();
    expect(message!.headers["ensign-signature"]).toBeUndefined();
    const body = message!.json as { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: unknown[] }[] };
    expect(body.text).toContain(`Flag state toggled: ${flag} in production by`);
    expect(body.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Flag state toggled", emoji: false } });
    expect(body.blocks[1]!.type).toBe("section");
    expect(body.blocks[1]!.fields!.map((f) => f.text)).toEqual(expect.arrayContaining([`*Flag*\n${flag}`, "*Environment*\nproduction"]));
    expect(body.blocks.find((b) => b.text?.text.includes("enabled: false → true"))).toBeDefined();
    expect(body.blocks.at(-1)!.type).toBe("context");
  });

  it("gathers e-mail into an hourly digest sent once the hour is over", async () => {
    await createHook({ kind: "email", recipients: ["digest@example.test"], digest: "hourly", eventTypes: ["flag.created"] });
    const flags = [await createFlag(), await createFlag(), await createFlag()];
    const d = dispatcher();
    await drain(d);
    expect(smtp.mails).toHaveLength(0);
    advance(HOUR);
    await drain(d);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.subject).toContain("3 changes (hourly digest)");
    for (const flag of flags) expect(smtp.mails[0]!.raw).toContain(flag);
    expect(smtp.mails[0]!.eventIds).toHaveLength(3);
  });

  it("refuses URLs that resolve to loopback, private or link-local addresses unless OUTBOUND_ALLOW lists them", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data", "http://10.1.2.3/hook", "http://[::1]:9/hook", "http://192.168.1.1/"]) {
      const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/webhooks`, headers: owner, payload: { name: "internal", url } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details.issues[0].path).toBe("body.url");
    }
    // A replica whose policy does not allow the address refuses at connection time too.
    await createHook({ url: receiver.url("/guarded"), eventTypes: ["flag.created"] });
    await createFlag();
    await drain(dispatcher({ outbound: "" }));
    expect(receiver.on("/guarded")).toHaveLength(0);
    const [row] = await t.db.prisma.webhookDelivery.findMany({ where: { workspaceId: ws.id } });
    expect(row).toMatchObject({ status: "pending", responseStatus: null });
    expect(row!.error).toMatch(/refused to connect to 127\.0\.0\.1/);
  });

  it("shows a secret once, never lists it, audits every change, and is for owners and admins only", async () => {
    const created = await createHook({ url: receiver.url("/crud"), secret: "a-secret-of-my-own-choosing" });
    expect(created.secret).toBeUndefined();
    const url = `/v1/workspaces/${ws.slug}/webhooks/${created.id}`;
    const rotated = await t.app.inject({ method: "PATCH", url, headers: owner, payload: { rotateSecret: true, name: "renamed", flags: ["checkout"] } });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    const listed = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/webhooks`, headers: owner });
    expect(listed.body).not.toContain(rotated.json().secret);
    expect(listed.body).not.toContain("a-secret-of-my-own-choosing");
    expect(listed.json().items[0]).toMatchObject({ name: "renamed", flags: ["checkout"], signed: true });
    const stored = await t.db.prisma.webhook.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.secretSealed).not.toContain(rotated.json().secret);

    expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/webhooks`, headers: editor })).statusCode).toBe(403);
    expect((await t.app.inject({ method: "PATCH", url, headers: owner, payload: { url: "ftp://example.com/x" } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/webhooks`, headers: owner, payload: { name: "x", kind: "email" } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/webhooks`, headers: owner, payload: { name: "x", kind: "slack", url: receiver.url("/s"), secret: "0123456789abcdef" } })).statusCode).toBe(400);

    expect((await t.app.inject({ method: "DELETE", url, headers: owner })).statusCode).toBe(204);
    expect((await t.app.inject({ method: "GET", url, headers: owner })).statusCode).toBe(404);
    const audit = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, targetId: created.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["webhook.created", "webhook.updated", "webhook.deleted"]);
    const text = JSON.stringify(audit, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value));
    expect(text).not.toContain(rotated.json().secret);
    expect(text).not.toContain("a-secret-of-my-own-choosing");
  });

  it("keeps a Slack URL's secret path and an endpoint's query out of the audit log and so out of other receivers' events", async () => {
    await createHook({ url: receiver.url("/watcher"), eventTypes: ["webhook.*"] });
    const slackPath = "/services/T000/B000/very-secret-path";
    await createHook({ kind: "slack", name: "#releases", url: receiver.url(slackPath) });
    await createHook({ name: "tokened", url: `${receiver.url("/with-token")}?token=abc123secret` });
    await drain();
    const seen = receiver.on("/watcher").map((r) => r.body).join("\n");
    expect(seen).toContain("webhook.created");
    expect(seen).not.toContain(slackPath);
    expect(seen).not.toContain("abc123secret");
    expect(receiver.on("/watcher").map((r) => (r.json.after as { url: string } | null)?.url)).toEqual([
      receiver.url("/watcher"),
      `http://127.0.0.1:${receiver.port}/…`,
      `${receiver.url("/with-token")}?…`,
    ]);
  });

  it("writes the outbox event in the change's own transaction: a rolled-back change leaves none", async () => {
    const before = await outboxIds();
    const flag = await createFlag();
    const dup = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/flags`, headers: owner, payload: { key: flag, name: flag, type: "boolean" } });
    expect(dup.statusCode).toBe(409);
    const after = await outboxIds(BigInt(before.at(-1) ?? 0));
    expect(after).toHaveLength(1);
    const audit = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } });
    const outbox = await t.db.prisma.outboxEvent.count({ where: { workspaceId: ws.id } });
    expect(outbox).toBe(audit);
  });
});
