import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, expectCompleteAudit, expectNo5xx, expectRoleMatrix, ifMatch, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createMember, createUser, createWorkspace, login } from "../../../test/helpers/fixtures";

describe("members", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;

  const memberId = async (workspaceId: string, email: string) =>
    (await t.db.prisma.membership.findFirstOrThrow({ where: { workspaceId, user: { email } } })).id;

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/members`;
  });
  afterAll(() => t.close());

  it("has no way to add a member other than an invitation", async () => {
    const res = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { email: "direct@example.test", name: "D", role: "viewer", password: "long-enough-pw" } });
    expect(res.statusCode).toBe(404);
    expect(await t.db.prisma.user.count({ where: { email: "direct@example.test" } })).toBe(0);
  });

  it("lists members with their roles and tenants, never a password hash", async () => {
    const res = await t.app.inject({ method: "GET", url: `${base}?sort=role`, headers: headers.viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(5);
    expect(res.json().items.map((m: { role: string }) => m.role)).toEqual(["owner", "admin", "editor", "viewer", "tenant_admin"]);
    const tenantAdmin = res.json().items.find((m: { role: string }) => m.role === "tenant_admin");
    expect(tenantAdmin.tenant).toEqual({ id: world.tenant.id, key: world.tenant.key, name: "Tenant" });
    expect(res.body).not.toMatch(/scrypt|passwordHash/);

    const filtered = await t.app.inject({ method: "GET", url: `${base}?role=tenant_admin&tenantKey=${world.tenant.key}`, headers: headers.viewer });
    expect(filtered.json().total).toBe(1);
    const searched = await t.app.inject({ method: "GET", url: `${base}?search=nobody-like-this`, headers: headers.viewer });
    expect(searched.json()).toMatchObject({ total: 0, items: [] });
  });

  it("lets only owners grant or take the owner role, and never from the last owner", async () => {
    const ownerEmail = (await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: headers.owner })).json().email as string;
    const ownerId = await memberId(world.ws.id, ownerEmail);
    const demoteByAdmin = await t.app.inject({ method: "PATCH", url: `${base}/${ownerId}`, headers: { ...headers.admin, ...ifMatch(1) }, payload: { role: "viewer" } });
    expect(demoteByAdmin.statusCode).toBe(403);
    const removeByAdmin = await t.app.inject({ method: "DELETE", url: `${base}/${ownerId}`, headers: { ...headers.admin, ...ifMatch(1) } });
    expect(removeByAdmin.statusCode).toBe(403);
    const lastOwner = await t.app.inject({ method: "PATCH", url: `${base}/${ownerId}`, headers: { ...headers.owner, ...ifMatch(1) }, payload: { role: "admin" } });
    expect(lastOwner.statusCode).toBe(409);
    expect(lastOwner.json().error.message).toMatch(/last owner/);
    const removeLast = await t.app.inject({ method: "DELETE", url: `${base}/${ownerId}`, headers: { ...headers.owner, ...ifMatch(1) } });
    expect(removeLast.statusCode).toBe(409);
    expect(await t.db.prisma.membership.findUniqueOrThrow({ where: { id: ownerId } })).toMatchObject({ role: "owner", version: 1 });
  });

  it("keeps an owner when two owners demote each other at once", async () => {
    const ws = await createWorkspace(t.db);
    const a = await createMember(t.db, ws.id, "owner");
    const b = await createMember(t.db, ws.id, "owner");
    const [ha, hb] = [(await login(t.app, a.email)).headers, (await login(t.app, b.email)).headers];
    const url = (email: string) => memberId(ws.id, email).then((id) => `/v1/workspaces/${ws.slug}/members/${id}`);
    const [urlA, urlB] = [await url(a.email), await url(b.email)];
    const results = await Promise.all([
      t.app.inject({ method: "PATCH", url: urlB, headers: { ...ha, ...ifMatch(1) }, payload: { role: "viewer" } }),
      t.app.inject({ method: "PATCH", url: urlA, headers: { ...hb, ...ifMatch(1) }, payload: { role: "viewer" } }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await t.db.prisma.membership.count({ where: { workspaceId: ws.id, role: "owner" } })).toBe(1);
  });

  it("changes a role with If-Match and refuses a stale version", async () => {
    const user = await createMember(t.db, world.ws.id, "viewer");
    const url = `${base}/${await memberId(world.ws.id, user.email)}`;
    expect((await t.app.inject({ method: "PATCH", url, headers: headers.admin, payload: { role: "editor" } })).statusCode).toBe(428);
    const ok = await t.app.inject({ method: "PATCH", url, headers: { ...headers.admin, ...ifMatch(1) }, payload: { role: "tenant_admin", tenantKey: world.tenant.key } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ role: "tenant_admin", tenant: { key: world.tenant.key }, version: 2 });
    const stale = await t.app.inject({ method: "PATCH", url, headers: { ...headers.admin, ...ifMatch(1) }, payload: { role: "editor" } });
    expect(stale.statusCode).toBe(412);
    const back = await t.app.inject({ method: "PATCH", url, headers: { ...headers.admin, ...ifMatch(2) }, payload: { role: "editor" } });
    expect(back.json()).toMatchObject({ role: "editor", tenant: null });
    const entries = (await auditOf(t.db, world.ws.id, "member.role_changed")).filter((e) => e.targetKey === user.email);
    expect(entries.map((e) => [e.before, e.after])).toEqual([
      [{ email: user.email, role: "viewer", tenantKey: null }, { email: user.email, role: "tenant_admin", tenantKey: world.tenant.key }],
      [{ email: user.email, role: "tenant_admin", tenantKey: world.tenant.key }, { email: user.email, role: "editor", tenantKey: null }],
    ]);
  });

  it("ends a removed member's access on their very next request", async () => {
    const user = await createMember(t.db, world.ws.id, "editor");
    const session = await login(t.app, user.email);
    const workspaceUrl = `/v1/workspaces/${world.ws.slug}`;
    expect((await t.app.inject({ method: "GET", url: workspaceUrl, headers: session.headers })).statusCode).toBe(200);

    const id = await memberId(world.ws.id, user.email);
    const res = await t.app.inject({ method: "DELETE", url: `${base}/${id}`, headers: { ...headers.admin, ...ifMatch(1) } });
    expect(res.statusCode).toBe(204);
    const after = await t.app.inject({ method: "GET", url: workspaceUrl, headers: session.headers });
    expect(after.statusCode).toBe(404);
    const write = await t.app.inject({ method: "GET", url: `${workspaceUrl}/environments`, headers: session.headers });
    expect(write.statusCode).toBe(404);
    expect(await t.db.prisma.user.count({ where: { id: user.id } })).toBe(1);
    const [entry] = (await auditOf(t.db, world.ws.id, "member.removed")).filter((e) => e.targetKey === user.email);
    expect(entry).toMatchObject({ actorRole: "admin", before: { email: user.email, role: "editor" } });
  });

  it("checks every route's roles", async () => {
    const id = await memberId(world.ws.id, (await createMember(t.db, world.ws.id, "viewer")).email);
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "get", method: "GET", url: `${base}/${id}`, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "change", method: "PATCH", url: `${base}/${id}`, payload: { role: "nobody" }, allowed: ["owner", "admin"], allowedStatus: 400 },
      { name: "remove", method: "DELETE", url: `${base}/${id}`, allowed: ["owner", "admin"], allowedStatus: 428 },
    ]);
  });

  it("never touches another workspace's memberships through this one", async () => {
    const theirs = await createUser(t.db);
    const membership = await t.db.prisma.membership.create({ data: { workspaceId: world.other.id, userId: theirs.id, role: "viewer" } });
    const url = `${base}/${membership.id}`;
    for (const attempt of [
      { method: "GET" as const, url },
      { method: "PATCH" as const, url, payload: { role: "admin" } },
      { method: "DELETE" as const, url },
    ]) {
      const res = await t.app.inject({ ...attempt, headers: { ...headers.owner, ...ifMatch(1) } });
      expect({ ...attempt, status: res.statusCode }).toEqual({ ...attempt, status: 404 });
    }
    expect(await t.db.prisma.membership.findUniqueOrThrow({ where: { id: membership.id } })).toMatchObject({ role: "viewer", version: 1 });
  });

  it("answers malformed input with a 4xx", async () => {
    await expectNo5xx(t, { ...headers.owner, ...ifMatch(1) }, [
      { method: "GET", url: `${base}/not-a-uuid` },
      { method: "PATCH", url: `${base}/00000000-0000-0000-0000-000000000000`, payload: { role: "viewer" } },
      { method: "GET", url: `${base}?role=superadmin&sort=password` },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    await expectCompleteAudit(t, world.ws.id);
  });
});
