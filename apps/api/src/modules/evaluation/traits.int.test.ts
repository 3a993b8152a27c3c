import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../../test/helpers/fixtures";

describe("identity traits", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let server: { secret: string; id: string };
  let client: string;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    prodId = ws.environments[2]!.id;
    await createFlag(t.db, ws.id, {
      key: "advanced_reports",
      states: {
        [prodId]: {
          enabled: true,
          fallthrough: { variant: "off" },
          rules: [{ conditions: [{ attribute: "emailVerified", operator: "equals", values: [true] }], serve: { variant: "on" } }],
        },
      },
    });
    server = await createApiKey(t.db, ws.id, prodId, "server");
    client = (await createApiKey(t.db, ws.id, prodId, "client")).secret;
  });
  afterAll(() => t.close());

  const evaluateFor = async (targetingKey: string, extra: object = {}) => {
    const res = await t.app.inject({
      method: "POST",
      url: "/ofrep/v1/evaluate/flags/advanced_reports",
      headers: apiKeyHeaders(client),
      payload: { context: { targetingKey, ...extra } },
    });
    return res.json().value as boolean;
  };
  const putTraits = (key: string, traits: unknown, secret = server.secret) =>
    t.app.inject({ method: "PUT", url: `/v1/identities/${key}/traits`, headers: apiKeyHeaders(secret), payload: { traits } });

  it("stores traits with a server key, audits them as the key, and evaluation sees them at once", async () => {
    expect(await evaluateFor("user-1")).toBe(false);
    const previous = t.app.services.snapshots.peek(prodId)!;
    const before = previous.version;
    const res = await putTraits("user-1", { emailVerified: true, stage: "onboarded" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ key: "user-1", traits: { emailVerified: true, stage: "onboarded" }, version: 1 });

    // The writing replica patched its snapshot in memory: the next version, no reload.
    const entry = t.app.services.snapshots.peek(prodId)!;
    expect(entry.version).toBe(before + 1);
    expect(entry.compiled.flags).toBe(previous.compiled.flags);
    expect(await evaluateFor("user-1")).toBe(true);
    // The request's context wins over a stored trait.
    expect(await evaluateFor("user-1", { emailVerified: false })).toBe(false);
    expect(await evaluateFor("user-2")).toBe(false);

    const audit = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, targetType: "identity" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: "api_key", actorId: server.id, action: "identity.created", targetKey: "user-1", environmentKey: "production" });
    const stored = await t.db.prisma.identity.findFirstOrThrow({ where: { environmentId: prodId, key: "user-1" } });
    expect(stored.traits).toEqual({ emailVerified: true, stage: "onboarded" });
    // The patched snapshot equals what a full rebuild from PostgreSQL gives.
    const snapshotIdentities = entry.stored.identities;
    expect(snapshotIdentities).toEqual([{ key: "user-1", traits: { emailVerified: true, stage: "onboarded" } }]);
  });

  it("replaces traits; an identical write changes nothing", async () => {
    const replaced = await putTraits("user-1", { emailVerified: false });
    expect(replaced.json()).toMatchObject({ traits: { emailVerified: false }, version: 2 });
    expect(await evaluateFor("user-1")).toBe(false);
    const version = t.app.services.snapshots.peek(prodId)!.version;
    const again = await putTraits("user-1", { emailVerified: false });
    expect(again.statusCode).toBe(200);
    expect(t.app.services.snapshots.peek(prodId)!.version).toBe(version);
    expect(await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, targetType: "identity" } })).toBe(2);
  });

  it("refuses client keys, bad keys and bad traits without writing", async () => {
    expect((await putTraits("user-9", { a: 1 }, client)).statusCode).toBe(403);
    expect((await putTraits("user-9", { a: 1 }, "wrong")).statusCode).toBe(401);
    expect((await putTraits("bad key!", { a: 1 })).statusCode).toBe(400);
    expect((await putTraits("user-9", "not an object")).statusCode).toBe(400);
    expect((await putTraits("user-9", { deep: { a: { b: { c: { d: { e: 1 } } } } } })).statusCode).toBe(400);
    expect(await t.db.prisma.identity.count({ where: { key: "user-9" } })).toBe(0);
  });
});
