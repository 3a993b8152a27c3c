import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../apps/api/test/helpers/app";
import { createTenant } from "../../../apps/api/test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../apps/api/test/helpers/fixtures";
import { Receiver, startSmtp } from "../../../apps/api/test/helpers/webhook-receivers";
import { runCli } from "./run-cli";

/** Deadlines against a hang on a loaded machine, not speed checks. */
const HANG_GUARD = { timeout: 60_000, interval: 100 };

/** The receiver's check from docs/webhooks.md, "Verifying the signature", as a user writes it. */
function verify(header: string | string[] | undefined, rawBody: string, secret: string, now = Date.now() / 1000): boolean {
  const parts = Object.fromEntries(String(header ?? "").split(",").map((p) => p.split("=", 2))) as Record<string, string | undefined>;
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > 300) return false;
  const expected = createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Issue 16's automation run end to end: a CI script holding only a service token applies a file
 * with the built `ensign` bin against the real API (which runs its own webhook dispatcher), finds
 * no drift on a second run and changes a rollout; a webhook receiver and an SMTP server started
 * here get every event of the run, signed and in order of commit, although the receiver is down
 * for part of it.
 */
describe("an automation run, as CI does it, delivered to a webhook and by e-mail", () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const receiver = new Receiver();
  let dir: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    await receiver.start();
    t = await createTestApp({
      config: {
        // The dispatcher runs inside the API, as in production, but looks every 200 ms and retries soon.
        SCHEDULER_ENABLED: "true",
        WEBHOOK_INTERVAL: "200ms",
        WEBHOOK_RETRY_BASE: "100ms",
        OUTBOUND_ALLOW: "127.0.0.1",
        SMTP_URL: smtp.url,
        SMTP_FROM: "Ensign <flags@example.test>",
      },
    });
    dir = await mkdtemp(path.join(tmpdir(), "ensign-run-"));
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
    await smtp?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("applies, finds no drift, changes a rollout, and every event reaches the receiver and the mailbox", async () => {
    // The owner's one-time setup, through the API: a signed webhook, an e-mail notification, a service token.
    const ws = await createWorkspace(t.db);
    await createTenant(t.db, ws.id, "acme-corp", { plan: "pro" });
    const owner = await memberHeaders(t.app, t.db, ws.id, "owner");
    const post = async (url: string, payload: Record<string, unknown>) => {
      const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}${url}`, headers: owner, payload });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as Record<string, string>;
    };
    const hook = await post("/webhooks", { name: "deploy bot", url: receiver.url("/ensign") });
    expect(hook.secret).toMatch(/^whsec_/);
    await post("/webhooks", { name: "on-call", kind: "email", recipients: ["oncall@example.test"] });
    const token = await post("/service-tokens", { name: "ci", role: "admin" });

    // Everything after this point is the run.
    const outboxMark = (await t.db.prisma.outboxEvent.findFirst({ where: { workspaceId: ws.id }, orderBy: { id: "desc" }, select: { id: true } }))!.id;
    const auditMark = (await t.db.prisma.auditEntry.findFirst({ where: { workspaceId: ws.id }, orderBy: { id: "desc" }, select: { id: true } }))!.id;
    const runEvents = async () =>
      t.db.prisma.outboxEvent.findMany({ where: { workspaceId: ws.id, id: { gt: outboxMark } }, orderBy: { id: "asc" }, select: { id: true, type: true } });
    // What reached the receiver of the run (it also got the setup's own events before it).
    const ofRun = () => receiver.on("/ensign").filter((r) => BigInt(String(r.json.id)) > outboxMark);
    const receivedIds = () => ofRun().map((r) => String(r.json.id));

    const url = await t.app.listen({ host: "127.0.0.1", port: 0 });
    // The CI job's whole environment: the address, the workspace and the service token.
    const env = { ENSIGN_URL: url, ENSIGN_TOKEN: token.secret!, ENSIGN_WORKSPACE: ws.slug, HOME: dir, XDG_CONFIG_HOME: path.join(dir, "config") };
    const cli = (...args: string[]) => runCli(args, { env });
    const file = path.join(dir, "ensign.yaml");
    await writeFile(
      file,
      `modules:
  - { key: FIN, name: Finance, keyPrefix: fin_ }
flags:
  - key: fin_invoices
    name: Invoices
    module: FIN
    states:
      staging: { enabled: true }
      production: { enabled: true, rollout: { percent: 25, by: tenantKey } }
  - key: fin_exports
    name: Exports
    module: FIN
    dependsOn: [fin_invoices]
overrides:
  - { flag: fin_invoices, environment: production, tenant: acme-corp, variant: "on" }
`,
    );

    // 1. apply. The receiver goes down as soon as the first event of the run reaches it.
    const applying = cli("apply", file);
    await expect.poll(() => receivedIds().length, HANG_GUARD).toBeGreaterThan(0);
    await receiver.stop({ graceful: true });
    const applied = await applying;
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Applied 6 changes");

    // 2. a second run: no drift, and no events.
    const afterApply = (await runEvents()).length;
    const check = await cli("apply", file, "--check");
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain("No changes");
    expect((await runEvents()).length).toBe(afterApply);

    // 3. a rollout changes, while the receiver is still down.
    const rollout = await cli("flags", "rollout", "fin_invoices", "--env", "production", "--percent", "60", "--by", "tenantKey");
    expect(rollout.code, rollout.stderr).toBe(0);
    const events = await runEvents();
    expect(events.length).toBe(afterApply + 1);
    expect(events.at(-1)!.type).toMatch(/^flag_state\./);

    // The dispatcher met the refused connection and keeps the event for later.
    await expect
      .poll(async () => {
        const rows = await t.db.prisma.webhookDelivery.findMany({ where: { webhookId: hook.id, status: "pending", attempts: { gt: 0 } }, select: { error: true } });
        return rows.some((row) => /ECONNREFUSED/.test(row.error ?? ""));
      }, HANG_GUARD)
      .toBe(true);
    expect(receivedIds().length).toBeLessThan(events.length);

    // Back on the same address: every event of the run arrives, once, in order of commit.
    await receiver.start();
    const expected = events.map((e) => String(e.id));
    await expect.poll(receivedIds, HANG_GUARD).toHaveLength(expected.length);
    expect(receivedIds()).toEqual(expected);
    const got = ofRun();
    expect(got.map((r) => r.json.type)).toEqual(events.map((e) => e.type));
    for (const r of got) {
      expect(verify(r.headers["ensign-signature"], r.body, hook.secret!), r.body).toBe(true);
      expect(verify(r.headers["ensign-signature"], r.body, "whsec_someone-else")).toBe(false);
      expect(r.headers["idempotency-key"]).toBe(r.json.id);
      expect(r.json.actor).toMatchObject({ type: "service_token" });
    }
    // At least one of them came on a retry, after the receiver was back.
    expect(got.some((r) => Number(r.headers["ensign-delivery-attempt"]) > 1)).toBe(true);

    // The events are the audit log of the run, one for one, every write made by the service token.
    const audit = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, id: { gt: auditMark } }, orderBy: { id: "asc" }, select: { action: true, actorType: true, actorName: true } });
    expect(audit.map((a) => a.action)).toEqual(events.map((e) => e.type));
    expect(new Set(audit.map((a) => `${a.actorType} ${a.actorName}`))).toEqual(new Set(["service_token ci"]));
    expect(got.find((r) => r.json.type === events.at(-1)!.type && r.json.id === expected.at(-1))!.json).toMatchObject({ flag: "fin_invoices", environment: "production" });

    // The e-mail notification covers the same events, in the same order.
    const mailed = () => smtp.mails.flatMap((m) => m.eventIds).filter((id) => BigInt(id) > outboxMark);
    await expect.poll(mailed, HANG_GUARD).toHaveLength(expected.length);
    expect(mailed()).toEqual(expected);
    expect(smtp.mails.every((m) => m.to.join() === "oncall@example.test")).toBe(true);

    // The delivery log agrees: every delivery of the run delivered, none failed.
    const deliveries = await t.db.prisma.webhookDelivery.findMany({ where: { webhookId: hook.id, eventId: { gt: outboxMark } }, orderBy: { eventId: "asc" } });
    expect(deliveries.map((d) => [String(d.eventId), d.status])).toEqual(expected.map((id) => [id, "delivered"]));
  }, 240_000);
});
