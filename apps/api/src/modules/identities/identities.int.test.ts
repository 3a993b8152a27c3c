import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, expectCompleteAudit, expectNo5xx, expectRoleMatrix, ifMatch, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import type { EnvironmentChange } from "../../infra/changes";

describe("identities", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;
  const changes: EnvironmentChange[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/environments/production/identities`;
    t.app.services.notifier.onLocalChange((batch) => changes.push(...batch));
  });
  afterAll(() => t.close());

  it("creates an identity by setting its traits; the environment's first identity bumps only that environment", async () => {
    const env = world.ws.environments[2]!;
    const res = await t.app.inject({
      method: "PUT",
      url: `${base}/user-1/traits`,
      headers: { ...headers.editor, "user-agent": "identities-test" },
      payload: { traits: { stage: "onboarding", emailVerified: false, actionsCount: 3, signupAt: "2026-01-02T00:00:00Z" } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ key: "user-1", environment: "production", traits: { stage: "onboarding", actionsCount: 3 }, version: 1 });
    // The first identity tells replicas that this environment's evaluations now look traits up.
    expect(changes).toEqual([expect.objectContaining({ environmentId: env.id, version: env.snapshotVersion + 1 })]);
    const second = await t.app.inject({ method: "PUT", url: `${base}/user-2/traits`, headers: headers.editor, payload: { traits: { stage: "signup" } } });
    expect(second.statusCode).toBe(201);
    // Later identities leave the snapshot alone: traits are not part of it.
    expect(changes).toHaveLength(1);
    const [entry] = await auditOf(t.db, world.ws.id, "identity.created");
    expect(entry).toMatchObject({ actorRole: "editor", userAgent: "identities-test", environmentKey: "production", targetKey: "user-1", before: null, after: { traits: { stage: "onboarding" } } });
  });

  it("replaces traits of an existing identity only with If-Match", async () => {
    const url = `${base}/user-1/traits`;
    const payload = { traits: { stage: "active", emailVerified: true } };
    const missing = await t.app.inject({ method: "PUT", url, headers: headers.editor, payload });
    expect(missing.statusCode).toBe(428);
    expect(missing.json().error.message).toContain('If-Match: "1"');
    const ok = await t.app.inject({ method: "PUT", url, headers: { ...headers.editor, ...ifMatch(1) }, payload });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ traits: { stage: "active", emailVerified: true }, version: 2 });
    expect(ok.json().traits).not.toHaveProperty("actionsCount");
    const stale = await t.app.inject({ method: "PUT", url, headers: { ...headers.editor, ...ifMatch(1) }, payload: { traits: {} } });
    expect(stale.statusCode).toBe(412);
    changes.length = 0;
    const same = await t.app.inject({ method: "PUT", url, headers: { ...headers.editor, ...ifMatch(2) }, payload: { traits: { emailVerified: true, stage: "active" } } });
    expect(same.json().version).toBe(2);
    expect(changes).toEqual([]);
    expect(await auditOf(t.db, world.ws.id, "identity.traits_replaced")).toHaveLength(1);
    const [entry] = await auditOf(t.db, world.ws.id, "identity.traits_replaced");
    expect(entry).toMatchObject({ before: { traits: { stage: "onboarding" } }, after: { traits: { stage: "active", emailVerified: true } } });
  });

  it("lists identities with key search and paging, and reads one", async () => {
    for (const key of ["user-2", "admin-1", "user-3"]) {
      await t.app.inject({ method: "PUT", url: `${base}/${key}/traits`, headers: headers.editor, payload: { traits: { n: key } } });
    }
    const res = await t.app.inject({ method: "GET", url: `${base}?search=USER&sort=key&order=asc&pageSize=2`, headers: headers.viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 3, pageSize: 2 });
    expect(res.json().items.map((i: { key: string }) => i.key)).toEqual(["user-1", "user-2"]);
    const staging = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/environments/staging/identities`, headers: headers.viewer });
    expect(staging.json().total).toBe(0);
    const one = await t.app.inject({ method: "GET", url: `${base}/user-1`, headers: headers.viewer });
    expect(one.json()).toMatchObject({ key: "user-1", traits: { stage: "active" }, version: 2 });
    expect(one.headers.etag).toBe('"2"');
    expect((await t.app.inject({ method: "GET", url: `${base}/ghost`, headers: headers.viewer })).statusCode).toBe(404);
  });

  it("deletes an identity with If-Match", async () => {
    const url = `${base}/admin-1`;
    expect((await t.app.inject({ method: "DELETE", url, headers: headers.editor })).statusCode).toBe(428);
    changes.length = 0;
    expect((await t.app.inject({ method: "DELETE", url, headers: { ...headers.editor, ...ifMatch(1) } })).statusCode).toBe(204);
    expect(await t.db.prisma.identity.count({ where: { workspaceId: world.ws.id, key: "admin-1" } })).toBe(0);
    // The snapshot does not carry identities: a deletion leaves its version alone, and the traits cache forgets the identity.
    expect(changes).toHaveLength(0);
    expect(t.app.services.traits.peek(world.ws.environments[2]!.id, "admin-1")).toBeNull();
    const [entry] = await auditOf(t.db, world.ws.id, "identity.deleted");
    expect(entry).toMatchObject({ actorRole: "editor", targetKey: "admin-1", before: { traits: { n: "admin-1" } } });
  });

  it("names bad fields", async () => {
    const tooMany = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`t${i}`, i]));
    const res = await t.app.inject({ method: "PUT", url: `${base}/user-9/traits`, headers: headers.editor, payload: { traits: tooMany } });
    expect(issuePaths(res)).toEqual(["body.traits"]);
    const notObject = await t.app.inject({ method: "PUT", url: `${base}/user-9/traits`, headers: headers.editor, payload: { traits: [1, 2] } });
    expect(issuePaths(notObject)).toEqual(["body.traits"]);
    const badKey = await t.app.inject({ method: "PUT", url: `${base}/${encodeURIComponent("a b")}/traits`, headers: headers.editor, payload: { traits: {} } });
    expect(issuePaths(badKey)).toEqual(["params.key"]);
  });

  it("checks every route's roles", async () => {
    const readers = ["owner", "admin", "editor", "viewer"] as const;
    const writers = ["owner", "admin", "editor"] as const;
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: readers, allowedStatus: 200 },
      { name: "get", method: "GET", url: `${base}/user-1`, allowed: readers, allowedStatus: 200 },
      { name: "set", method: "PUT", url: `${base}/user-1/traits`, payload: { traits: "x" }, allowed: writers, allowedStatus: 400 },
      { name: "delete", method: "DELETE", url: `${base}/user-1`, allowed: writers, allowedStatus: 428 },
    ]);
  });

  it("never reaches another workspace's identities", async () => {
    const otherEnv = world.other.environments[2]!;
    const theirs = await t.db.prisma.identity.create({ data: { workspaceId: world.other.id, environmentId: otherEnv.id, key: "their-user", traits: { secret: "x" } } });
    const url = `${base}/their-user`;
    expect((await t.app.inject({ method: "GET", url, headers: headers.owner })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "DELETE", url, headers: { ...headers.owner, ...ifMatch(1) } })).statusCode).toBe(404);
    // Setting traits for the same key here creates this workspace's own identity; theirs stays.
    const own = await t.app.inject({ method: "PUT", url: `${url}/traits`, headers: headers.owner, payload: { traits: { mine: true } } });
    expect(own.statusCode).toBe(201);
    expect(await t.db.prisma.identity.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ traits: { secret: "x" }, version: 1 });
    const viaOther = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.other.slug}/environments/production/identities/their-user`, headers: headers.owner });
    expect(viaOther.statusCode).toBe(404);
  });

  it("answers malformed input with a 4xx", async () => {
    await expectNo5xx(t, { ...headers.owner, ...ifMatch(1) }, [
      { method: "PUT", url: `${base}/user-1/traits`, payload: { traits: { a: { b: { c: [1, { d: null }] } } }, extra: 1 } },
      { method: "PUT", url: `${base}/${"k".repeat(200)}/traits`, payload: { traits: {} } },
      { method: "GET", url: `${base}?search=%25_%5C&sort=traits` },
      { method: "GET", url: `/v1/workspaces/${world.ws.slug}/environments/${"e".repeat(300)}/identities` },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    await expectCompleteAudit(t, world.ws.id);
  });

  it("tells how identities spread over a trait's values, most common first", async () => {
    const stages = ["signup", "signup", "signup", "onboarding", "active", "active"];
    for (const [i, stage] of stages.entries()) {
      const res = await t.app.inject({ method: "PUT", url: `${base}/spread-${i}/traits`, headers: headers.editor, payload: { traits: { phase: stage, n: i } } });
      expect(res.statusCode).toBe(201);
    }
    await t.app.inject({ method: "PUT", url: `${base}/spread-none/traits`, headers: headers.editor, payload: { traits: { other: true } } });
    const statsUrl = `/v1/workspaces/${world.ws.slug}/environments/production/identity-stats`;
    const res = await t.app.inject({ method: "GET", url: `${statsUrl}?trait=phase`, headers: headers.viewer });
    expect(res.statusCode).toBe(200);
    const stats = res.json();
    const counts = Object.fromEntries(stats.values.map((v: { value: string; count: number }) => [v.value, v.count]));
    expect(counts).toMatchObject({ signup: 3, active: 2 });
    expect(stats.values[0]).toEqual({ value: "signup", count: 3 });
    expect(stats.total - stats.missing).toBe(stats.values.reduce((sum: number, v: { count: number }) => sum + v.count, 0) + stats.other);
    expect(stats.missing).toBeGreaterThanOrEqual(1);

    const none = await t.app.inject({ method: "GET", url: `${statsUrl}?trait=${encodeURIComponent("it's; nothing")}`, headers: headers.viewer });
    expect(none.json()).toMatchObject({ values: [], other: 0, missing: stats.total });
    expect((await t.app.inject({ method: "GET", url: statsUrl, headers: headers.viewer })).statusCode).toBe(400);
    expect((await t.app.inject({ method: "GET", url: `${statsUrl}?trait=phase`, headers: headers.outsider })).statusCode).toBe(404);
  });
});
