import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";
import { createWorkspace } from "../../test/helpers/fixtures";
import type { ApiKeyRevokedMessage } from "../modules/api-access/api-key-revocations";
import { SYSTEM_ACTOR, type AuditRecord } from "./audit";
import type { EnvironmentChange } from "./changes";
import type { Write } from "./writer";

describe("the transactional writer", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let heard: EnvironmentChange[][];
  let revoked: ApiKeyRevokedMessage[];
  const stops: (() => void)[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
  });
  afterAll(() => t.close());
  beforeEach(() => {
    heard = [];
    revoked = [];
    stops.push(t.app.services.notifier.onLocalChange((changes) => heard.push(changes)));
    stops.push(t.app.services.revocations.onLocalRevocation((message) => revoked.push(message)));
  });
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  const record = (key: string): AuditRecord => ({ workspaceId: ws.id, action: "tenant.created", targetType: "tenant", targetKey: key, after: { key } });
  const versions = async () => (await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, orderBy: { key: "asc" } })).map((e) => e.snapshotVersion);
  const createTenant = (w: Write, key: string) => w.tx.tenant.create({ data: { workspaceId: ws.id, key, name: key } });
  const traces = async (key: string) => ({
    tenants: await t.db.prisma.tenant.count({ where: { workspaceId: ws.id, key } }),
    audit: await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, targetKey: key } }),
    outbox: await t.db.prisma.outboxEvent.count({ where: { workspaceId: ws.id, type: "tenant.created", payload: { path: ["target", "key"], equals: key } } }),
  });
  const revocation = (environmentId: string): ApiKeyRevokedMessage => ({
    workspaceId: ws.id,
    environmentId,
    keys: [{ id: "00000000-0000-7000-8000-000000000001", secretHash: "ab".repeat(32) }],
    reason: "revoked",
    at: new Date().toISOString(),
  });

  it("rolls back the row, its audit entry, its outbox event and the version bump together, and announces nothing", async () => {
    const before = await versions();
    await expect(
      t.app.services.writing(ws.id, async (_tx, w) => {
        await createTenant(w, "doomed");
        await w.audit(SYSTEM_ACTOR, record("doomed"));
        await w.bump();
        w.revoke(revocation(ws.environments[0]!.id));
        throw new Error("refused after the audit");
      }),
    ).rejects.toThrow("refused after the audit");
    expect(await traces("doomed")).toEqual({ tenants: 0, audit: 0, outbox: 0 });
    expect(await versions()).toEqual(before);
    expect(heard).toEqual([]);
    expect(revoked).toEqual([]);
  });

  it("commits the row, its audit entry and the bump together, then announces the bumped environments once", async () => {
    const before = await versions();
    // What another connection sees when the announcement arrives: the write has committed by then.
    let seenAtAnnouncement: Promise<number> | undefined;
    stops.push(
      t.app.services.notifier.onLocalChange(() => {
        seenAtAnnouncement ??= t.db.prisma.tenant.count({ where: { workspaceId: ws.id, key: "kept" } });
      }),
    );
    const bumped = await t.app.services.writing(ws.id, async (_tx, w) => {
      await createTenant(w, "kept");
      await w.audit(SYSTEM_ACTOR, record("kept"));
      const bumped = await w.bump();
      // Nothing leaves before the commit.
      expect(heard).toEqual([]);
      return bumped;
    });
    expect(await traces("kept")).toEqual({ tenants: 1, audit: 1, outbox: 1 });
    expect(await versions()).toEqual(before.map((v) => v + 1));
    expect(heard).toEqual([bumped]);
    expect(bumped.map((c) => c.version).sort()).toEqual(before.map((v) => v + 1).sort());
    expect(await seenAtAnnouncement).toBe(1);
  });

  it("announces revocations before the environment changes, and what a write announces without a bump", async () => {
    const order: string[] = [];
    stops.push(t.app.services.revocations.onLocalRevocation(() => order.push("revoked")));
    stops.push(t.app.services.notifier.onLocalChange(() => order.push("changed")));
    const [env] = ws.environments;
    const gone: EnvironmentChange = { workspaceId: ws.id, environmentId: env!.id, environmentKey: env!.key, version: 99, isDeleted: true };
    await t.app.services.writing(ws.id, async (_tx, w) => {
      w.announce(gone);
      w.revoke(revocation(env!.id));
    });
    expect(order).toEqual(["revoked", "changed"]);
    expect(heard).toEqual([[gone]]);
    expect(revoked).toEqual([revocation(env!.id)].map((m) => ({ ...m, at: expect.any(String) })));
  });

  it("undoes an undoable part that throws (rows, audit, bumps, announcements) and commits the rest", async () => {
    const before = await versions();
    const [dev, staging] = ws.environments;
    await t.app.services.writing(ws.id, async (_tx, w) => {
      await expect(
        w.undoable(async () => {
          await createTenant(w, "undone");
          await w.audit(SYSTEM_ACTOR, record("undone"));
          await w.bump([dev!.id]);
          w.revoke(revocation(dev!.id));
          throw new Error("this part is refused");
        }),
      ).rejects.toThrow("this part is refused");
      await createTenant(w, "survivor");
      await w.audit(SYSTEM_ACTOR, record("survivor"));
      await w.bump([staging!.id]);
    });
    expect(await traces("undone")).toEqual({ tenants: 0, audit: 0, outbox: 0 });
    expect(await traces("survivor")).toEqual({ tenants: 1, audit: 1, outbox: 1 });
    const after = await versions();
    // Sorted by key: development, production, staging.
    expect(after).toEqual([before[0]!, before[1]!, before[2]! + 1]);
    expect(heard).toEqual([[expect.objectContaining({ environmentId: staging!.id, version: before[2]! + 1 })]]);
    expect(revoked).toEqual([]);
  });

  it("runs owner writes that open their workspace inside the transaction", async () => {
    const [, , production] = ws.environments;
    const before = await versions();
    await t.app.services.writing.asOwner(async (tx, open) => {
      const { id } = await tx.workspace.findUniqueOrThrow({ where: { slug: ws.slug }, select: { id: true } });
      const w = open(id);
      await createTenant(w, "owned");
      await w.audit(SYSTEM_ACTOR, record("owned"));
      await w.bump([production!.id]);
    });
    expect(await traces("owned")).toEqual({ tenants: 1, audit: 1, outbox: 1 });
    expect(await versions()).toEqual([before[0]!, before[1]! + 1, before[2]!]);
    expect(heard).toHaveLength(1);
  });
});
