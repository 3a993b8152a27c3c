import type { CreateWebhookBody } from "@ensign/contracts/webhooks";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, recordingWriter, refusal } from "../../../test/helpers/recording-writer";
import { admin, NOW, workspaceRows, WS } from "../../../test/helpers/service-fixtures";
import { parseOutboundAllow } from "../../infra/outbound";
import { webhookSecretSealer } from "./signing";
import type { DeliveryRow, WebhookRow, WebhooksRepository } from "./webhooks.repository";
import { createWebhooksService } from "./webhooks.service";

type StoredWebhook = WebhookRow & { workspaceId: string; cursor: bigint };
type StoredDelivery = Omit<DeliveryRow, "event"> & { eventType: string };

/** The repository in memory: webhooks, their deliveries, and the newest outbox event. */
function fakeRepository() {
  const webhooks: StoredWebhook[] = [];
  const deliveries: StoredDelivery[] = [];
  const state = { newestEvent: 41n, locks: 0 };
  let ids = 0;
  const { inScope, strip } = workspaceRows(webhooks);
  const shown = (row: StoredWebhook): WebhookRow => {
    const { cursor: _c, ...rest } = strip(row);
    return rest;
  };
  const shownDelivery = ({ eventType, ...row }: StoredDelivery): DeliveryRow => ({ ...structuredClone(row), event: { type: eventType } });

  const repo: WebhooksRepository = {
    async list(_tx, workspaceId) {
      return inScope(workspaceId).map(shown);
    },
    async find(_tx, workspaceId, id) {
      const row = inScope(workspaceId).find((w) => w.id === id);
      return row ? shown(row) : null;
    },
    async counts(_tx, workspaceId, wanted) {
      const byId = new Map<string, { pending: number; failed: number }>();
      for (const d of deliveries) {
        if (d.workspaceId !== workspaceId || !wanted.includes(d.webhookId) || d.status === "delivered") continue;
        const entry = byId.get(d.webhookId) ?? { pending: 0, failed: 0 };
        entry[d.status] += 1;
        byId.set(d.webhookId, entry);
      }
      return byId;
    },
    async lockedNewestEvent() {
      state.locks += 1;
      return state.newestEvent;
    },
    async create(_tx, workspaceId, data) {
      const at = new Date(NOW);
      const row: StoredWebhook = { ...data, workspaceId, id: `wh-${++ids}`, createdAt: at, updatedAt: at };
      webhooks.push(row);
      return shown(row);
    },
    async update(_tx, workspaceId, id, data) {
      const row = inScope(workspaceId).find((w) => w.id === id)!;
      for (const [field, value] of Object.entries(data)) if (value !== undefined) Object.assign(row, { [field]: value });
      return shown(row);
    },
    async delete(_tx, workspaceId, id) {
      webhooks.splice(webhooks.findIndex((w) => w.workspaceId === workspaceId && w.id === id), 1);
      for (let i = deliveries.length - 1; i >= 0; i--) if (deliveries[i]!.webhookId === id) deliveries.splice(i, 1);
    },
    async deliveries(_tx, workspaceId, webhookId, query, take) {
      return deliveries
        .filter((d) => d.workspaceId === workspaceId && d.webhookId === webhookId && (!query.status || d.status === query.status) && (!query.cursor || d.id < BigInt(query.cursor)))
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .slice(0, take)
        .map(shownDelivery);
    },
    async findDelivery(_tx, workspaceId, webhookId, deliveryId) {
      const row = deliveries.find((d) => d.workspaceId === workspaceId && d.webhookId === webhookId && d.id === deliveryId);
      return row ? shownDelivery(row) : null;
    },
    async retry(_tx, workspaceId, deliveryId, { nextAttemptAt, giveUpAt }) {
      const row = deliveries.find((d) => d.workspaceId === workspaceId && d.id === deliveryId)!;
      Object.assign(row, { status: "pending", nextAttemptAt, giveUpAt, completedAt: null, error: null });
      return shownDelivery(row);
    },
  };
  const rows = {
    save() {
      const saved = structuredClone({ webhooks, deliveries });
      return () => {
        webhooks.splice(0, webhooks.length, ...saved.webhooks);
        deliveries.splice(0, deliveries.length, ...saved.deliveries);
      };
    },
  };
  return { repo, rows, webhooks, deliveries, state };
}

const sealer = webhookSecretSealer("a test api secret of enough length");
const RETRY_FOR_MS = 86_400_000;

describe("webhooks service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let writer: ReturnType<typeof recordingWriter>;
  let emailEnabled: boolean;
  const make = () =>
    createWebhooksService({
      reading: memoryReading,
      writing: writer.writer,
      repo: fake.repo,
      sealer,
      // Allowed by name: the checks never ask DNS.
      outbound: parseOutboundAllow("hooks.example.test,hooks.slack.test"),
      emailEnabled,
      retryForMs: RETRY_FOR_MS,
      now: () => new Date(NOW),
    });
  const body = (fields: Partial<CreateWebhookBody> = {}): CreateWebhookBody => ({
    kind: "webhook",
    name: "Deploys",
    url: "https://hooks.example.test/ensign?token=abc",
    recipients: [],
    digest: "immediate",
    eventTypes: [],
    environments: [],
    flags: [],
    tenants: [],
    enabled: true,
    ...fields,
  });

  beforeEach(() => {
    fake = fakeRepository();
    writer = recordingWriter(fake.rows);
    emailEnabled = true;
  });

  it("creates a signed webhook that starts after the newest event, shows a generated secret once, and audits it without secrets", async () => {
    const service = make();
    const created = await service.create(WS, body({ digest: "daily" }), admin);
    expect(created).toMatchObject({ kind: "webhook", signed: true, digest: "immediate", createdBy: admin.email, pending: 0, failed: 0 });
    expect(created.secret).toMatch(/^whsec_/);
    const stored = fake.webhooks[0]!;
    expect({ cursor: stored.cursor, locks: fake.state.locks }).toEqual({ cursor: 41n, locks: 1 });
    expect(sealer.unseal(stored.secretSealed!)).toBe(created.secret);
    expect(await service.get(WS, created.id)).not.toHaveProperty("secret");
    expect(writer.committed.audit).toEqual([
      {
        actor: admin,
        workspaceId: WS,
        action: "webhook.created",
        targetType: "webhook",
        targetId: created.id,
        targetKey: "Deploys",
        after: {
          kind: "webhook",
          name: "Deploys",
          url: "https://hooks.example.test/ensign?…",
          recipients: [],
          digest: "immediate",
          eventTypes: [],
          environments: [],
          flags: [],
          tenants: [],
          enabled: true,
        },
      },
    ]);
    expect(JSON.stringify(writer.committed.audit)).not.toContain(created.secret!);
  });

  it("keeps a given secret, never answers it, and leaves Slack and e-mail unsigned", async () => {
    const service = make();
    const given = await service.create(WS, body({ secret: "a-secret-chosen-by-the-owner-000" }), admin);
    expect(given.secret).toBeUndefined();
    expect(sealer.unseal(fake.webhooks[0]!.secretSealed!)).toBe("a-secret-chosen-by-the-owner-000");
    const slack = await service.create(WS, body({ kind: "slack", url: "https://hooks.slack.test/services/T0/B0/XYZ" }), admin);
    expect({ signed: slack.signed, secret: slack.secret }).toEqual({ signed: false, secret: undefined });
    expect(writer.committed.audit.at(-1)!.after).toMatchObject({ url: "https://hooks.slack.test/…" });
    const email = await service.create(WS, body({ kind: "email", url: undefined, recipients: ["ops@example.test"], digest: "hourly" }), admin);
    expect({ signed: email.signed, digest: email.digest, url: email.url }).toEqual({ signed: false, digest: "hourly", url: null });
  });

  it("refuses settings that do not fit the kind, naming the field, and creates nothing", async () => {
    const service = make();
    const pathOf = async (fields: Partial<CreateWebhookBody>) => {
      const refused = await refusal(service.create(WS, body(fields), admin));
      return [refused.code, (refused.details as { issues: { path: string }[] }).issues[0]!.path];
    };
    expect(await pathOf({ url: undefined })).toEqual(["VALIDATION_FAILED", "body.url"]);
    expect(await pathOf({ recipients: ["ops@example.test"] })).toEqual(["VALIDATION_FAILED", "body.recipients"]);
    expect(await pathOf({ kind: "slack", url: "https://hooks.slack.test/x", secret: "a-secret-chosen-by-the-owner-000" })).toEqual(["VALIDATION_FAILED", "body.secret"]);
    expect(await pathOf({ url: "http://10.0.0.7/hook" })).toEqual(["VALIDATION_FAILED", "body.url"]);
    expect(await pathOf({ kind: "email", url: undefined })).toEqual(["VALIDATION_FAILED", "body.recipients"]);
    expect(await pathOf({ kind: "email", recipients: ["ops@example.test"] })).toEqual(["VALIDATION_FAILED", "body.url"]);
    expect(await pathOf({ kind: "email", url: undefined, recipients: ["ops@example.test"], secret: "a-secret-chosen-by-the-owner-000" })).toEqual(["VALIDATION_FAILED", "body.secret"]);
    emailEnabled = false;
    expect(await refusal(make().create(WS, body({ kind: "email", url: undefined, recipients: ["ops@example.test"] }), admin))).toMatchObject({
      code: "VALIDATION_FAILED",
      message: "E-mail notifications need an SMTP server: set SMTP_URL (docs/operations.md).",
    });
    expect([fake.webhooks, writer.committed.audit]).toEqual([[], []]);
  });

  it("rotates a secret on request, shows it once, and audits only that it changed", async () => {
    const service = make();
    const created = await service.create(WS, body(), admin);
    expect((await refusal(service.update(WS, created.id, { secret: "a-secret-chosen-by-the-owner-000", rotateSecret: true }, admin))).code).toBe("VALIDATION_FAILED");

    const rotated = await service.update(WS, created.id, { rotateSecret: true }, admin);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(sealer.unseal(fake.webhooks[0]!.secretSealed!)).toBe(rotated.secret);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "webhook.updated", before: { secret: "(set)" }, after: { secret: "(changed)" } });
    expect(JSON.stringify(writer.committed.audit)).not.toContain(rotated.secret!);
  });

  it("audits an edit with what changed, nothing when nothing did, and keeps a webhook's digest immediate", async () => {
    const service = make();
    const created = await service.create(WS, body(), admin);
    const edited = await service.update(WS, created.id, { name: "Releases", digest: "daily", url: "https://hooks.example.test/other" }, admin);
    expect(edited).toMatchObject({ name: "Releases", digest: "immediate", url: "https://hooks.example.test/other" });
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "webhook.updated",
      targetKey: "Releases",
      before: { name: "Deploys", url: "https://hooks.example.test/ensign?…" },
      after: { name: "Releases", url: "https://hooks.example.test/other" },
    });
    await service.update(WS, created.id, { name: "Releases" }, admin);
    expect(writer.committed.audit).toHaveLength(2);
    expect((await refusal(service.update(WS, created.id, { url: "http://192.168.1.2/x" }, admin))).code).toBe("VALIDATION_FAILED");
    expect((await refusal(service.update(WS, "wh-none", { name: "x" }, admin))).code).toBe("NOT_FOUND");
    expect(fake.webhooks[0]!.url).toBe("https://hooks.example.test/other");
  });

  it("lists webhooks with their pending and failed deliveries and deletes one with its log, audited", async () => {
    const service = make();
    const a = await service.create(WS, body({ name: "A" }), admin);
    const b = await service.create(WS, body({ name: "B" }), admin);
    const delivery = (id: bigint, webhookId: string, status: StoredDelivery["status"]): StoredDelivery => ({
      id,
      workspaceId: WS,
      webhookId,
      eventId: id + 100n,
      eventType: "flag.updated",
      status,
      attempts: 1,
      nextAttemptAt: new Date(NOW),
      lastAttemptAt: new Date(NOW),
      giveUpAt: new Date(NOW + RETRY_FOR_MS),
      responseStatus: status === "failed" ? 500 : 200,
      latencyMs: 12,
      error: status === "failed" ? "HTTP 500" : null,
      createdAt: new Date(NOW),
      completedAt: status === "pending" ? null : new Date(NOW),
    });
    fake.deliveries.push(delivery(1n, a.id, "pending"), delivery(2n, a.id, "failed"), delivery(3n, a.id, "failed"), delivery(4n, a.id, "delivered"), delivery(5n, b.id, "delivered"));
    expect((await service.list(WS)).map((w) => [w.name, w.pending, w.failed])).toEqual([
      ["A", 1, 2],
      ["B", 0, 0],
    ]);
    expect(await service.list("ws-other")).toEqual([]);

    await service.remove(WS, a.id, admin);
    expect(fake.webhooks.map((w) => w.name)).toEqual(["B"]);
    expect(fake.deliveries.map((d) => d.id)).toEqual([5n]);
    expect(writer.committed.audit.at(-1)).toMatchObject({ action: "webhook.deleted", targetId: a.id, targetKey: "A", before: { name: "A" } });
    expect((await refusal(service.remove(WS, a.id, admin))).code).toBe("NOT_FOUND");
  });

  it("pages deliveries newest first and sends a finished one again, retried for the configured time", async () => {
    const service = make();
    const hook = await service.create(WS, body(), admin);
    for (let i = 1n; i <= 5n; i++) {
      fake.deliveries.push({
        id: i,
        workspaceId: WS,
        webhookId: hook.id,
        eventId: 100n + i,
        eventType: "flag.updated",
        status: i === 5n ? "pending" : "failed",
        attempts: 3,
        nextAttemptAt: new Date(NOW - 60_000),
        lastAttemptAt: new Date(NOW - 60_000),
        giveUpAt: new Date(NOW - 1),
        responseStatus: 500,
        latencyMs: 20,
        error: "HTTP 500",
        createdAt: new Date(NOW - 120_000),
        completedAt: i === 5n ? null : new Date(NOW - 60_000),
      });
    }
    const first = await service.deliveries(WS, hook.id, { limit: 2 });
    expect({ ids: first.items.map((d) => d.id), next: first.nextCursor }).toEqual({ ids: ["5", "4"], next: "4" });
    const last = await service.deliveries(WS, hook.id, { limit: 2, cursor: "2" });
    expect({ ids: last.items.map((d) => d.id), next: last.nextCursor }).toEqual({ ids: ["1"], next: null });
    const full = await service.deliveries(WS, hook.id, { limit: 4, cursor: "5" });
    expect({ ids: full.items.map((d) => d.id), next: full.nextCursor }).toEqual({ ids: ["4", "3", "2", "1"], next: null });
    expect((await refusal(service.deliveries(WS, "wh-none", { limit: 2 }))).code).toBe("NOT_FOUND");

    const still = await refusal(service.redeliver(WS, hook.id, "5", admin));
    expect(still.code).toBe("CONFLICT");
    expect((await refusal(service.redeliver(WS, hook.id, "99", admin))).code).toBe("NOT_FOUND");

    const again = await service.redeliver(WS, hook.id, "3", admin);
    expect(again).toMatchObject({ id: "3", eventId: "103", status: "pending", error: null, completedAt: null, nextAttemptAt: new Date(NOW).toISOString() });
    expect(fake.deliveries.find((d) => d.id === 3n)!.giveUpAt).toEqual(new Date(NOW + RETRY_FOR_MS));
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "webhook.redelivered",
      targetId: hook.id,
      before: { delivery: "3", event: "103", status: "failed" },
      after: { status: "pending" },
    });
    fake.deliveries.find((d) => d.id === 1n)!.status = "delivered";
    await service.redeliver(WS, hook.id, "1", admin);
    expect(writer.committed.audit.at(-1)!.before).toEqual({ delivery: "1", event: "101", status: "delivered" });
  });
});
