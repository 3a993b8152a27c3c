import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, allAuditText, expectCompleteAudit, expectNo5xx, expectRoleMatrix, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createMember, createUser, login, PASSWORD, unique } from "../../../test/helpers/fixtures";

describe("invitations", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;

  const newEmail = (prefix = "inv") => `${unique(prefix)}@example.test`;
  const invite = (payload: object, as: Headers = headers.admin) => t.app.inject({ method: "POST", url: base, headers: as, payload });
  const tokenOf = (acceptUrl: string) => acceptUrl.split("/invite/")[1]!;
  const lookup = (token: string) => t.app.inject({ method: "POST", url: "/v1/invitations/lookup", payload: { token } });
  const acceptNew = (token: string, name = "Nova Person", password = "a fine new password") =>
    t.app.inject({ method: "POST", url: "/v1/invitations/accept-new", payload: { token, name, password } });
  const accept = (token: string, as: Headers) => t.app.inject({ method: "POST", url: "/v1/invitations/accept", headers: as, payload: { token } });
  const membership = (email: string) => t.db.prisma.membership.findFirst({ where: { workspaceId: world.ws.id, user: { email } } });

  beforeAll(async () => {
    t = await createTestApp({ config: { PUBLIC_URL: "https://flags.example.com/" } });
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/invitations`;
  });
  afterAll(() => t.close());

  it("answers alike whether or not the email has an account elsewhere, and tells nothing of that account", async () => {
    const stranger = await createMember(t.db, world.other.id, "owner");
    await t.db.prisma.user.update({ where: { id: stranger.id }, data: { name: "Secret Stranger", lastLoginAt: new Date() } });
    const unknown = newEmail("unknown");

    const forExisting = await invite({ email: stranger.email, role: "viewer" });
    const forUnknown = await invite({ email: unknown, role: "viewer" });
    expect([forExisting.statusCode, forUnknown.statusCode]).toEqual([201, 201]);
    const shape = (body: Record<string, unknown>) => Object.keys(body).sort();
    expect(shape(forExisting.json())).toEqual(shape(forUnknown.json()));
    for (const [res, email] of [[forExisting, stranger.email], [forUnknown, unknown]] as const) {
      expect(res.json()).toMatchObject({ email, role: "viewer", tenant: null, status: "pending", acceptedAt: null, revokedAt: null });
      expect(res.json().acceptUrl).toMatch(/^https:\/\/flags\.example\.com\/invite\/ein_[A-Za-z0-9_-]{43}$/);
    }
    expect(forExisting.body).not.toMatch(/Secret Stranger|lastLoginAt|userId|Test User/);

    const list = await t.app.inject({ method: "GET", url: base, headers: headers.viewer });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { email: string }) => i.email)).toEqual(expect.arrayContaining([stranger.email, unknown]));
    expect(list.body).not.toMatch(/Secret Stranger|lastLoginAt|acceptUrl|ein_|userId/);
    const members = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/members?search=${encodeURIComponent(stranger.email)}`, headers: headers.admin });
    expect(members.json().total).toBe(0);
    expect(await membership(stranger.email)).toBeNull();
  });

  it("stores only the token's hash, and audits the invitation without it", async () => {
    const email = newEmail();
    const res = await invite({ email, role: "editor" }, { ...headers.admin, "user-agent": "invitations-test" });
    const token = tokenOf(res.json().acceptUrl);
    const row = await t.db.prisma.invitation.findUniqueOrThrow({ where: { id: res.json().id } });
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(7 * 86_400_000);
    const [entry] = (await auditOf(t.db, world.ws.id, "invitation.created")).filter((e) => e.targetKey === email);
    expect(entry).toMatchObject({ actorRole: "admin", userAgent: "invitations-test", targetId: row.id, after: { email, role: "editor", tenantKey: null } });
    expect(await allAuditText(t)).not.toContain(token);
  });

  it("lets a new user accept once with a name and password, and then sign in as a member", async () => {
    const email = newEmail("new");
    const token = tokenOf((await invite({ email: email.toUpperCase(), role: "editor" })).json().acceptUrl);

    const info = await lookup(token);
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({ workspace: { slug: world.ws.slug }, email, role: "editor", tenant: null });

    const accepted = await acceptNew(token);
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toEqual({ workspace: { slug: world.ws.slug, name: world.ws.name }, email, role: "editor" });
    const session = await login(t.app, email, "a fine new password");
    const me = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: session.headers });
    expect(me.json()).toMatchObject({ name: "Nova Person", memberships: [{ workspace: { slug: world.ws.slug }, role: "editor" }] });

    const [entry] = (await auditOf(t.db, world.ws.id, "invitation.accepted")).filter((e) => e.targetKey === email);
    expect(entry).toMatchObject({ actorType: "user", actorEmail: email, actorRole: "editor", after: { userCreated: true } });
    expect(await allAuditText(t)).not.toContain("a fine new password");

    const again = await acceptNew(token, "Someone Else", "another password 1");
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe("LINK_USED");
    expect((await lookup(token)).json().error.code).toBe("LINK_USED");
    const listed = await t.app.inject({ method: "GET", url: `${base}?status=accepted`, headers: headers.admin });
    expect(listed.json().items.find((i: { email: string }) => i.email === email)).toMatchObject({ status: "accepted" });
  });

  it("never sets an existing account's password: its owner must sign in as it to accept", async () => {
    const existing = await createMember(t.db, world.other.id, "viewer");
    const token = tokenOf((await invite({ email: existing.email, role: "viewer" })).json().acceptUrl);

    const asNew = await acceptNew(token, "Takeover", "attacker password 1");
    expect(asNew.statusCode).toBe(409);
    expect((await login(t.app, existing.email, PASSWORD)).token).toBeTruthy();
    await expect(login(t.app, existing.email, "attacker password 1")).rejects.toThrow(/401/);
    expect(await membership(existing.email)).toBeNull();

    const someoneElse = await login(t.app, (await createUser(t.db)).email);
    const wrongAccount = await accept(token, someoneElse.headers);
    expect(wrongAccount.statusCode).toBe(403);
    expect(await membership(existing.email)).toBeNull();
    expect((await accept(token, {})).statusCode).toBe(401);

    const theirs = await login(t.app, existing.email);
    const ok = await accept(token, theirs.headers);
    expect(ok.statusCode).toBe(201);
    expect(await membership(existing.email)).toMatchObject({ role: "viewer" });
    const me = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: theirs.headers });
    expect(me.json().memberships.map((m: { workspace: { slug: string } }) => m.workspace.slug).sort()).toEqual([world.other.slug, world.ws.slug].sort());
    const [entry] = (await auditOf(t.db, world.ws.id, "invitation.accepted")).filter((e) => e.targetKey === existing.email);
    expect(entry).toMatchObject({ actorId: existing.id, after: { userCreated: false } });
    expect((await accept(token, theirs.headers)).json().error.code).toBe("LINK_USED");
  });

  it("refuses an expired link with 410 and leaves no membership", async () => {
    const email = newEmail("late");
    const res = await invite({ email, role: "viewer" });
    await t.db.prisma.invitation.update({ where: { id: res.json().id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const token = tokenOf(res.json().acceptUrl);
    for (const attempt of [await lookup(token), await acceptNew(token)]) {
      expect(attempt.statusCode).toBe(410);
      expect(attempt.json().error).toMatchObject({ code: "LINK_EXPIRED", message: expect.stringMatching(/expired/) });
    }
    expect(await t.db.prisma.user.count({ where: { email } })).toBe(0);
    const expired = await t.app.inject({ method: "GET", url: `${base}?status=expired`, headers: headers.admin });
    expect(expired.json().items.map((i: { email: string }) => i.email)).toContain(email);
    const pending = await t.app.inject({ method: "GET", url: base, headers: headers.admin });
    expect(pending.json().items.map((i: { email: string }) => i.email)).not.toContain(email);
    // An expired invitation no longer blocks a new one.
    expect((await invite({ email, role: "viewer" })).statusCode).toBe(201);
  });

  it("revokes a pending invitation, audited; its link then answers 410", async () => {
    const email = newEmail("rev");
    const res = await invite({ email, role: "viewer" });
    const url = `${base}/${res.json().id}`;
    expect((await invite({ email, role: "editor" })).statusCode).toBe(409);
    expect((await t.app.inject({ method: "DELETE", url, headers: headers.editor })).statusCode).toBe(403);
    expect((await t.app.inject({ method: "DELETE", url, headers: headers.admin })).statusCode).toBe(204);
    const token = tokenOf(res.json().acceptUrl);
    expect((await acceptNew(token)).json().error.code).toBe("LINK_REVOKED");
    expect((await t.app.inject({ method: "DELETE", url, headers: headers.admin })).statusCode).toBe(409);
    const [entry] = (await auditOf(t.db, world.ws.id, "invitation.revoked")).filter((e) => e.targetKey === email);
    expect(entry).toMatchObject({ actorRole: "admin", before: { email, role: "viewer" } });
    expect(await t.db.prisma.user.count({ where: { email } })).toBe(0);
  });

  it("answers unknown and malformed tokens with 4xx", async () => {
    expect((await lookup("ein_nothing-like-this")).statusCode).toBe(404);
    expect((await acceptNew("ein_nothing-like-this")).statusCode).toBe(404);
    expect(issuePaths(await t.app.inject({ method: "POST", url: "/v1/invitations/accept-new", payload: { token: "", name: "", password: "short" } }))).toEqual(
      expect.arrayContaining(["body.token", "body.name", "body.password"]),
    );
    await expectNo5xx(t, headers.owner, [
      { method: "POST", url: "/v1/invitations/lookup", payload: { token: { $ne: 1 } } },
      { method: "POST", url: "/v1/invitations/accept", payload: { token: "x".repeat(5_000) } },
      { method: "POST", url: base, payload: { email: ["x"], role: "king" } },
      { method: "DELETE", url: `${base}/not-a-uuid` },
      { method: "GET", url: `${base}?status=everything` },
    ]);
  });

  it("binds tenant admins to a tenant of this workspace, and lets only owners invite owners", async () => {
    expect(issuePaths(await invite({ email: newEmail(), role: "tenant_admin" }))).toEqual(["body.tenantKey"]);
    expect(issuePaths(await invite({ email: newEmail(), role: "tenant_admin", tenantKey: "ghost" }))).toEqual(["body.tenantKey"]);
    expect(issuePaths(await invite({ email: newEmail(), role: "viewer", tenantKey: world.tenant.key }))).toEqual(["body.tenantKey"]);
    const email = newEmail("ta");
    const res = await invite({ email, role: "tenant_admin", tenantKey: world.tenant.key });
    expect(res.json().tenant).toMatchObject({ key: world.tenant.key });
    expect((await acceptNew(tokenOf(res.json().acceptUrl))).statusCode).toBe(201);
    expect(await membership(email)).toMatchObject({ role: "tenant_admin", tenantId: world.tenant.id });

    expect((await invite({ email: newEmail(), role: "owner" }, headers.admin)).statusCode).toBe(403);
    expect((await invite({ email: newEmail(), role: "owner" }, headers.owner)).statusCode).toBe(201);
  });

  it("refuses to invite someone who already is a member", async () => {
    const member = await createMember(t.db, world.ws.id, "viewer");
    const res = await invite({ email: member.email, role: "editor" });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("ALREADY_EXISTS");
  });

  it("accepts one of two acceptances of the same link made at once", async () => {
    const email = newEmail("race");
    const token = tokenOf((await invite({ email, role: "viewer" })).json().acceptUrl);
    const results = await Promise.all([acceptNew(token, "One", "first password 1"), acceptNew(token, "Two", "second password 2")]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, expect.any(Number)]);
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.every((r) => r.statusCode < 500)).toBe(true);
    expect(await t.db.prisma.membership.count({ where: { workspaceId: world.ws.id, user: { email } } })).toBe(1);
  });

  it("never touches another workspace's invitations through this one", async () => {
    const owner = await login(t.app, (await createMember(t.db, world.other.id, "owner")).email);
    const theirs = await t.app.inject({ method: "POST", url: `/v1/workspaces/${world.other.slug}/invitations`, headers: owner.headers, payload: { email: newEmail(), role: "viewer" } });
    const res = await t.app.inject({ method: "DELETE", url: `${base}/${theirs.json().id}`, headers: headers.owner });
    expect(res.statusCode).toBe(404);
    expect((await t.db.prisma.invitation.findUniqueOrThrow({ where: { id: theirs.json().id } })).revokedAt).toBeNull();
    const list = await t.app.inject({ method: "GET", url: `${base}?status=all&pageSize=200`, headers: headers.owner });
    expect(list.json().items.map((i: { id: string }) => i.id)).not.toContain(theirs.json().id);
  });

  it("checks every route's roles", async () => {
    const id = (await invite({ email: newEmail(), role: "viewer" })).json().id as string;
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "create", method: "POST", url: base, payload: { email: "x" }, allowed: ["owner", "admin"], allowedStatus: 400 },
      { name: "revoke", method: "DELETE", url: `${base}/${id}x`, allowed: ["owner", "admin"], allowedStatus: 400 },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    await expectCompleteAudit(t, world.ws.id, ["a fine new password"]);
    const text = await allAuditText(t);
    expect(text).not.toMatch(/ein_[A-Za-z0-9_-]{43}/);
  });
});
