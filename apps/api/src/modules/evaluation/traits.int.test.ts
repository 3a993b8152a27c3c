import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../../test/helpers/evaluation-fixtures";
import { ifMatch } from "../../../test/helpers/admin";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";

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

    // The environment's first identity bumps its version once (evaluation starts looking traits up).
    await t.app.services.snapshots.refresh(prodId, before + 1);
    const entry = t.app.services.snapshots.peek(prodId)!;
    expect(entry.version).toBe(before + 1);
    expect(entry.meta.hasIdentities).toBe(true);
    expect(await evaluateFor("user-1")).toBe(true);
    // The request's context wins over a stored trait.
    expect(await evaluateFor("user-1", { emailVerified: false })).toBe(false);
    expect(await evaluateFor("user-2")).toBe(false);

    const audit = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, targetType: "identity" } });
    expect(audit).toHaveLength(1);
    const stored = await t.db.prisma.identity.findFirstOrThrow({ where: { environmentId: prodId, key: "user-1" } });
    expect(audit[0]).toMatchObject({ actorType: "api_key", actorId: server.id, action: "identity.created", targetId: stored.id, targetKey: "user-1", environmentKey: "production" });
    expect(stored.traits).toEqual({ emailVerified: true, stage: "onboarded" });
    // Traits stay out of the snapshot; this replica holds them in its traits cache.
    expect(entry.stored.identities).toEqual([]);
    expect(t.app.services.traits.peek(prodId, "user-1")).toEqual({ emailVerified: true, stage: "onboarded" });
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

  it("writes the same identity the admin API reads and writes: one version line, If-Match only for admins", async () => {
    const editor = await memberHeaders(t.app, t.db, ws.id, "editor");
    const adminUrl = `/v1/workspaces/${ws.slug}/environments/production/identities/user-7`;
    expect((await putTraits("user-7", { stage: "signup" })).json()).toMatchObject({ version: 1 });
    const read = await t.app.inject({ method: "GET", url: adminUrl, headers: editor });
    expect(read.json()).toMatchObject({ key: "user-7", environment: "production", traits: { stage: "signup" }, version: 1 });

    // The admin must name the version the backend wrote; the backend never has to.
    expect((await t.app.inject({ method: "PUT", url: `${adminUrl}/traits`, headers: editor, payload: { traits: { stage: "vip" } } })).statusCode).toBe(428);
    const byAdmin = await t.app.inject({ method: "PUT", url: `${adminUrl}/traits`, headers: { ...editor, ...ifMatch(1) }, payload: { traits: { stage: "vip" } } });
    expect(byAdmin.json()).toMatchObject({ traits: { stage: "vip" }, version: 2 });
    const byBackend = await putTraits("user-7", { stage: "active" });
    expect(byBackend.json()).toEqual({ key: "user-7", traits: { stage: "active" }, version: 3, updatedAt: expect.any(String) });
    expect(t.app.services.traits.peek(prodId, "user-7")).toEqual({ stage: "active" });

    const actions = (await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, targetKey: "user-7" }, orderBy: { id: "asc" } })).map((e) => [e.action, e.actorType]);
    expect(actions).toEqual([
      ["identity.created", "api_key"],
      ["identity.traits_replaced", "user"],
      ["identity.traits_replaced", "api_key"],
    ]);
  });

  it("holds traits to the context limits on both routes, naming the field", async () => {
    const editor = await memberHeaders(t.app, t.db, ws.id, "editor");
    const tooDeep = { deep: { a: { b: { c: { d: { e: 1 } } } } } };
    const viaKey = await putTraits("user-8", tooDeep);
    const viaAdmin = await t.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/environments/production/identities/user-8/traits`, headers: editor, payload: { traits: tooDeep } });
    for (const res of [viaKey, viaAdmin]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details.issues).toEqual([{ path: "body.traits", message: expect.stringMatching(/nest/) }]);
    }
    expect(await t.db.prisma.identity.count({ where: { key: "user-8" } })).toBe(0);
  });

  it("lets writes racing for a new key all succeed: the newest wins", async () => {
    const answers = await Promise.all([1, 2, 3, 4].map((n) => putTraits("user-race", { n })));
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 200, 200]);
    const stored = await t.db.prisma.identity.findFirstOrThrow({ where: { environmentId: prodId, key: "user-race" } });
    expect(answers.map((res) => res.json().version)).toContain(stored.version);
  });

  it("refuses client keys, bad keys and bad traits without writing", async () => {
    expect((await putTraits("user-9", { a: 1 }, client)).statusCode).toBe(403);
    expect((await putTraits("user-9", { a: 1 }, "wrong")).statusCode).toBe(401);
    expect((await putTraits("bad key!", { a: 1 })).statusCode).toBe(400);
    expect((await putTraits("user-9", "not an object")).statusCode).toBe(400);
    expect((await putTraits("user-9", { deep: { a: { b: { c: { d: { e: 1 } } } } } })).statusCode).toBe(400);
    expect(await t.db.prisma.identity.count({ where: { key: "user-9" } })).toBe(0);
  });

  const patchTraits = (key: string, traits: unknown, secret = server.secret) =>
    t.app.inject({ method: "PATCH", url: `/v1/identities/${key}/traits`, headers: apiKeyHeaders(secret), payload: { traits } });
  const getTraits = (key: string, secret = server.secret) => t.app.inject({ method: "GET", url: `/v1/identities/${key}/traits`, headers: apiKeyHeaders(secret) });

  it("merges traits with PATCH (null removes one), reads them back with GET, and evaluation follows", async () => {
    expect((await getTraits("user-progress")).statusCode).toBe(404);
    const created = await patchTraits("user-progress", { stage: "signup", actionsCount: 1 });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toMatchObject({ key: "user-progress", traits: { stage: "signup", actionsCount: 1 }, version: 1 });

    const merged = await patchTraits("user-progress", { emailVerified: true, actionsCount: 5 });
    expect(merged.json()).toMatchObject({ traits: { stage: "signup", actionsCount: 5, emailVerified: true }, version: 2 });
    expect(await evaluateFor("user-progress")).toBe(true);

    const removed = await patchTraits("user-progress", { emailVerified: null, stage: "active" });
    expect(removed.json().traits).toEqual({ stage: "active", actionsCount: 5 });
    expect(await evaluateFor("user-progress")).toBe(false);

    const read = await getTraits("user-progress");
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ key: "user-progress", traits: { stage: "active", actionsCount: 5 }, version: 3, updatedAt: expect.any(String) });
    expect(t.app.services.traits.peek(prodId, "user-progress")).toEqual({ stage: "active", actionsCount: 5 });
    const actions = (await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, targetKey: "user-progress" }, orderBy: { id: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["identity.created", "identity.traits_patched", "identity.traits_patched"]);
  });

  it("lets concurrent merges of different traits all take effect", async () => {
    await patchTraits("user-merge", { base: true });
    const answers = await Promise.all(["a", "b", "c", "d"].map((name) => patchTraits("user-merge", { [name]: 1 })));
    expect(answers.map((res) => res.statusCode)).toEqual([200, 200, 200, 200]);
    expect((await getTraits("user-merge")).json().traits).toEqual({ base: true, a: 1, b: 1, c: 1, d: 1 });
  });

  it("merges through the admin API with If-Match when given", async () => {
    const editor = await memberHeaders(t.app, t.db, ws.id, "editor");
    const adminUrl = `/v1/workspaces/${ws.slug}/environments/production/identities/user-admin-patch/traits`;
    const created = await t.app.inject({ method: "PATCH", url: adminUrl, headers: editor, payload: { traits: { stage: "signup" } } });
    expect(created.statusCode).toBe(201);
    const stale = await t.app.inject({ method: "PATCH", url: adminUrl, headers: { ...editor, ...ifMatch(7) }, payload: { traits: { stage: "x" } } });
    expect(stale.statusCode).toBe(412);
    const merged = await t.app.inject({ method: "PATCH", url: adminUrl, headers: { ...editor, ...ifMatch(1) }, payload: { traits: { plan: "pro" } } });
    expect(merged.json()).toMatchObject({ traits: { stage: "signup", plan: "pro" }, version: 2 });
    const viewer = await memberHeaders(t.app, t.db, ws.id, "viewer");
    expect((await t.app.inject({ method: "PATCH", url: adminUrl, headers: viewer, payload: { traits: { plan: "free" } } })).statusCode).toBe(403);
  });

  it("refuses client keys, other environments' identities and merges past the limits", async () => {
    expect((await getTraits("user-progress", client)).statusCode).toBe(403);
    expect((await patchTraits("user-progress", { a: 1 }, client)).statusCode).toBe(403);
    const staging = await createApiKey(t.db, ws.id, ws.environments[1]!.id, "server");
    expect((await getTraits("user-progress", staging.secret)).statusCode).toBe(404);
    const tooMany = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`t${i}`, i]));
    expect((await patchTraits("user-progress", tooMany)).statusCode).toBe(400);
    expect((await getTraits("user-progress")).json().traits).toEqual({ stage: "active", actionsCount: 5 });
  });
});
