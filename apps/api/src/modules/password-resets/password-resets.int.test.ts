import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, allAuditText, expectCompleteAudit, expectNo5xx, expectRoleMatrix, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createMember, createUser, login, PASSWORD } from "../../../test/helpers/fixtures";

describe("password resets issued by an owner", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;

  const NEW_PASSWORD = "a brand new password";
  const memberId = async (workspaceId: string, userId: string) =>
    (await t.db.prisma.membership.findFirstOrThrow({ where: { workspaceId, userId } })).id;
  const issue = (id: string, as: Headers, slug = world.ws.slug) =>
    t.app.inject({ method: "POST", url: `/v1/workspaces/${slug}/members/${id}/password-reset`, headers: as });
  const tokenOf = (resetUrl: string) => resetUrl.split("/reset/")[1]!;
  const lookup = (token: string) => t.app.inject({ method: "POST", url: "/v1/password-resets/lookup", payload: { token } });
  const redeem = (token: string, newPassword = NEW_PASSWORD) => t.app.inject({ method: "POST", url: "/v1/password-resets/redeem", payload: { token, newPassword } });
  const me = (h: Headers) => t.app.inject({ method: "GET", url: "/v1/auth/me", headers: h });

  beforeAll(async () => {
    t = await createTestApp({ config: { PUBLIC_URL: "https://flags.example.com" } });
    world = await adminWorld(t);
    headers = world.headers;
  });
  afterAll(() => t.close());

  it("issues a one-hour link shown once and stored hashed; redeeming it sets the password and ends every session", async () => {
    const user = await createMember(t.db, world.ws.id, "editor");
    const sessions = [await login(t.app, user.email), await login(t.app, user.email)];
    const res = await issue(await memberId(world.ws.id, user.id), { ...headers.owner, "user-agent": "reset-test" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ email: user.email, resetUrl: expect.stringMatching(/^https:\/\/flags\.example\.com\/reset\/epr_[A-Za-z0-9_-]{43}$/) });
    const token = tokenOf(res.json().resetUrl);
    const row = await t.db.prisma.passwordReset.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(3_600_000);

    expect((await lookup(token)).json()).toEqual({ email: user.email, expiresAt: row.expiresAt.toISOString() });
    expect((await redeem(token)).statusCode).toBe(204);

    for (const session of sessions) {
      expect((await me(session.headers)).statusCode).toBe(401);
      expect((await t.app.inject({ method: "POST", url: "/v1/auth/refresh", payload: { refreshToken: session.refreshToken } })).statusCode).toBe(401);
    }
    await expect(login(t.app, user.email, PASSWORD)).rejects.toThrow(/401/);
    expect((await login(t.app, user.email, NEW_PASSWORD)).token).toBeTruthy();

    const [issued] = (await auditOf(t.db, world.ws.id, "member.password_reset_issued")).filter((e) => e.targetKey === user.email);
    expect(issued).toMatchObject({ actorRole: "owner", userAgent: "reset-test", after: { email: user.email } });
    const [done] = (await auditOf(t.db, world.ws.id, "member.password_reset")).filter((e) => e.targetKey === user.email);
    expect(done).toMatchObject({ actorType: "user", actorId: user.id, actorRole: "editor", after: { sessionsEnded: 2 } });
    const audit = await allAuditText(t);
    expect(audit).not.toContain(token);
    expect(audit).not.toContain(NEW_PASSWORD);
  });

  it("works once: a used link answers 410 and changes nothing", async () => {
    const user = await createMember(t.db, world.ws.id, "viewer");
    const token = tokenOf((await issue(await memberId(world.ws.id, user.id), headers.owner)).json().resetUrl);
    expect((await redeem(token)).statusCode).toBe(204);
    const again = await redeem(token, "the attacker's password");
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe("LINK_USED");
    expect((await login(t.app, user.email, NEW_PASSWORD)).token).toBeTruthy();
    expect((await lookup(token)).statusCode).toBe(410);
  });

  it("refuses an expired link with 410, and a link replaced by a newer one", async () => {
    const user = await createMember(t.db, world.ws.id, "viewer");
    const id = await memberId(world.ws.id, user.id);
    const first = tokenOf((await issue(id, headers.owner)).json().resetUrl);
    const second = tokenOf((await issue(id, headers.owner)).json().resetUrl);
    expect((await redeem(first)).json().error.code).toBe("LINK_REVOKED");

    await t.db.prisma.passwordReset.updateMany({ where: { userId: user.id, revokedAt: null }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    const expired = await redeem(second);
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error).toMatchObject({ code: "LINK_EXPIRED", message: expect.stringMatching(/expired/) });
    expect((await login(t.app, user.email, PASSWORD)).token).toBeTruthy();
    expect((await redeem("epr_nothing-like-this")).statusCode).toBe(404);
  });

  it("is for owners and the platform superadmin only", async () => {
    const user = await createMember(t.db, world.ws.id, "viewer");
    const url = `/v1/workspaces/${world.ws.slug}/members/${await memberId(world.ws.id, user.id)}/password-reset`;
    await expectRoleMatrix(t, headers, [{ name: "issue", method: "POST", url, allowed: ["owner"], allowedStatus: 201 }]);
    const superadmin = await login(t.app, (await createUser(t.db, { superadmin: true })).email);
    expect((await t.app.inject({ method: "POST", url, headers: superadmin.headers })).statusCode).toBe(201);
  });

  it("refuses an owner of workspace A a user who is only in workspace B, or also in a workspace A's owner does not own", async () => {
    const onlyInB = await createMember(t.db, world.other.id, "viewer");
    const bMembership = await memberId(world.other.id, onlyInB.id);
    expect((await issue(bMembership, headers.owner)).statusCode).toBe(404);
    expect((await issue(bMembership, headers.owner, world.other.slug)).statusCode).toBe(404);

    const inBoth = await createMember(t.db, world.other.id, "owner");
    await t.db.prisma.membership.create({ data: { workspaceId: world.ws.id, userId: inBoth.id, role: "viewer" } });
    const refused = await issue(await memberId(world.ws.id, inBoth.id), headers.owner);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/superadmin/);

    const platformAdmin = await createUser(t.db, { superadmin: true });
    await t.db.prisma.membership.create({ data: { workspaceId: world.ws.id, userId: platformAdmin.id, role: "viewer" } });
    expect((await issue(await memberId(world.ws.id, platformAdmin.id), headers.owner)).statusCode).toBe(403);
    expect(await t.db.prisma.passwordReset.count({ where: { userId: { in: [onlyInB.id, inBoth.id, platformAdmin.id] } } })).toBe(0);
  });

  it("no longer works once the user has left the workspace that issued it", async () => {
    const user = await createMember(t.db, world.ws.id, "viewer");
    const id = await memberId(world.ws.id, user.id);
    const token = tokenOf((await issue(id, headers.owner)).json().resetUrl);
    await t.db.prisma.membership.delete({ where: { id } });
    expect((await redeem(token)).statusCode).toBe(410);
    expect((await login(t.app, user.email, PASSWORD)).token).toBeTruthy();
  });

  it("answers malformed input with a 4xx", async () => {
    await expectNo5xx(t, headers.owner, [
      { method: "POST", url: `/v1/workspaces/${world.ws.slug}/members/not-a-uuid/password-reset` },
      { method: "POST", url: `/v1/workspaces/${world.ws.slug}/members/00000000-0000-7000-8000-000000000000/password-reset` },
      { method: "POST", url: "/v1/password-resets/redeem", payload: { token: "x", newPassword: "short" } },
      { method: "POST", url: "/v1/password-resets/redeem", payload: { token: ["x"], newPassword: { a: 1 } } },
      { method: "POST", url: "/v1/password-resets/lookup", payload: { token: "y".repeat(10_000) } },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    await expectCompleteAudit(t, world.ws.id, [NEW_PASSWORD]);
    expect(await allAuditText(t)).not.toMatch(/epr_[A-Za-z0-9_-]{43}/);
  });
});
