import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loggerOptions } from "../../app";
import { allAuditText, createFlag, ifMatch, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createMember, createWorkspace, login, unique } from "../../../test/helpers/fixtures";
import { sha256 } from "../auth/secrets";

const bearer = (secret: string): Headers => ({ authorization: `Bearer ${secret}` });

describe("access tokens", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  let owner: { id: string; email: string; headers: Headers };
  let admin: { id: string; email: string; headers: Headers };
  const logs: string[] = [];
  const secrets: string[] = [];
  let flagKey: string;

  const stateUrl = (env: string, workspace = ws.slug) => `/v1/workspaces/${workspace}/flags/${flagKey}/environments/${env}`;

  async function member(workspaceId: string, role: "owner" | "admin" | "editor" | "viewer" | "tenant_admin", tenantId?: string) {
    const user = await createMember(t.db, workspaceId, role, tenantId);
    return { id: user.id, email: user.email, headers: (await login(t.app, user.email)).headers };
  }

  async function pat(headers: Headers, body: Record<string, unknown> = {}) {
    const res = await t.app.inject({ method: "POST", url: "/v1/auth/tokens", headers, payload: { name: unique("script"), ...body } });
    expect(res.statusCode).toBe(201);
    secrets.push(res.json().secret);
    return res.json() as { id: string; secret: string; prefix: string; name: string; expiresAt: string; maxRole: string | null };
  }

  async function serviceToken(body: Record<string, unknown>) {
    const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: admin.headers, payload: { name: unique("ci"), ...body } });
    expect(res.statusCode).toBe(201);
    secrets.push(res.json().secret);
    return res.json() as { id: string; secret: string; prefix: string; name: string; role: string; environment: string | null };
  }

  /** Switches the flag in an environment, reading its current version first. */
  async function toggle(headers: Headers, env: string, enabled: boolean) {
    const current = await t.app.inject({ method: "GET", url: stateUrl(env), headers: owner.headers });
    return t.app.inject({ method: "PUT", url: `${stateUrl(env)}/enabled`, headers: { ...headers, ...ifMatch(current.json().version) }, payload: { enabled } });
  }

  beforeAll(async () => {
    const stream = { write: (line: string) => void logs.push(line) };
    t = await createTestApp({ logger: { ...loggerOptions("trace"), stream } });
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    owner = await member(ws.id, "owner");
    admin = await member(ws.id, "admin");
    flagKey = unique("flag");
    await createFlag(t, ws.id, flagKey, ws.environments.map((e) => e.id));
  });
  afterAll(() => t.close());

  describe("personal access tokens", () => {
    it("are shown once, stored hashed, expire in 90 days by default and act as their user", async () => {
      const created = await pat(admin.headers);
      expect(created.secret).toMatch(/^ens_pat_[A-Za-z0-9_-]{43}$/);
      expect(created.secret.startsWith(created.prefix)).toBe(true);
      expect(created.maxRole).toBeNull();
      const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(89);
      expect(days).toBeLessThanOrEqual(90);
      const row = await t.db.prisma.personalToken.findUniqueOrThrow({ where: { id: created.id } });
      expect(row.secretHash).toBe(sha256(created.secret));
      expect(JSON.stringify(row)).not.toContain(created.secret);

      const read = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/flags`, headers: bearer(created.secret) });
      expect(read.statusCode).toBe(200);
      expect((await toggle(bearer(created.secret), "staging", false)).statusCode).toBe(200);
      const me = await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(created.secret) });
      expect(me.json()).toMatchObject({ id: admin.id, email: admin.email });

      const list = await t.app.inject({ method: "GET", url: "/v1/auth/tokens", headers: admin.headers });
      expect(list.statusCode).toBe(200);
      expect(list.json().items).toEqual([expect.objectContaining({ id: created.id, prefix: created.prefix, name: created.name, revokedAt: null, lastUsedAt: expect.any(String) })]);
      expect(list.body).not.toContain(created.secret);
      expect(list.body).not.toMatch(/secretHash|"secret"/);
    });

    it("are refused with 401 once revoked or expired", async () => {
      const revoked = await pat(admin.headers);
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(revoked.secret) })).statusCode).toBe(200);
      const revoke = await t.app.inject({ method: "DELETE", url: `/v1/auth/tokens/${revoked.id}`, headers: admin.headers });
      expect(revoke.statusCode).toBe(200);
      expect(revoke.json().revokedAt).not.toBeNull();
      const after = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(revoked.secret) });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe("UNAUTHENTICATED");

      const expired = await pat(admin.headers);
      await t.db.prisma.personalToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(expired.secret) })).statusCode).toBe(401);
      // A look-alike that was never issued.
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(`ens_pat_${"A".repeat(43)}`) })).statusCode).toBe(401);
    });

    it("are revoked only by their own user, and cannot manage tokens themselves", async () => {
      const mine = await pat(admin.headers);
      const revokeByOther = await t.app.inject({ method: "DELETE", url: `/v1/auth/tokens/${mine.id}`, headers: owner.headers });
      expect(revokeByOther.statusCode).toBe(404);
      const listByOther = await t.app.inject({ method: "GET", url: "/v1/auth/tokens", headers: owner.headers });
      expect(listByOther.json().items.map((i: { id: string }) => i.id)).not.toContain(mine.id);
      for (const request of [
        { method: "GET" as const, url: "/v1/auth/tokens" },
        { method: "POST" as const, url: "/v1/auth/tokens", payload: { name: "more" } },
        { method: "DELETE" as const, url: `/v1/auth/tokens/${mine.id}` },
        { method: "POST" as const, url: "/v1/auth/password", payload: { currentPassword: "x", newPassword: "something-long" } },
      ]) {
        const res = await t.app.inject({ ...request, headers: bearer(mine.secret) });
        expect(res.statusCode, `${request.method} ${request.url}`).toBe(403);
      }
      const stillLive = await t.db.prisma.personalToken.findUniqueOrThrow({ where: { id: mine.id } });
      expect(stillLive.revokedAt).toBeNull();
    });

    it("refuses expiries past a year, and unknown roles", async () => {
      for (const payload of [{ name: "x", expiresInDays: 366 }, { name: "x", expiresInDays: 0 }, { name: "x", maxRole: "owner" }, { name: "x", maxRole: "tenant_admin" }]) {
        const res = await t.app.inject({ method: "POST", url: "/v1/auth/tokens", headers: admin.headers, payload });
        expect(res.statusCode, JSON.stringify(payload)).toBe(400);
        expect(res.json().error.code).toBe("VALIDATION_FAILED");
      }
      const year = await pat(admin.headers, { expiresInDays: 365 });
      expect(Date.parse(year.expiresAt) - Date.now()).toBeGreaterThan(364 * 86_400_000);
    });

    it("narrowed to viewer can read but not write", async () => {
      const viewerToken = await pat(owner.headers, { maxRole: "viewer" });
      expect((await t.app.inject({ method: "GET", url: stateUrl("production"), headers: bearer(viewerToken.secret) })).statusCode).toBe(200);
      const write = await toggle(bearer(viewerToken.secret), "production", false);
      expect(write.statusCode).toBe(403);
      expect(write.json().error.code).toBe("FORBIDDEN");
      const editorToken = await pat(owner.headers, { maxRole: "editor" });
      expect((await toggle(bearer(editorToken.secret), "production", true)).statusCode).toBe(200);
      const define = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/tenants`, headers: bearer(editorToken.secret), payload: { key: unique("t"), name: "T" } });
      expect(define.statusCode).toBe(403);
    });

    it("lose a demoted user's rights at once, and a removed member's workspace", async () => {
      const user = await member(ws.id, "editor");
      const token = await pat(user.headers);
      expect((await toggle(bearer(token.secret), "development", true)).statusCode).toBe(200);
      await t.db.prisma.membership.updateMany({ where: { userId: user.id, workspaceId: ws.id }, data: { role: "viewer" } });
      expect((await toggle(bearer(token.secret), "development", false)).statusCode).toBe(403);
      await t.db.prisma.membership.deleteMany({ where: { userId: user.id, workspaceId: ws.id } });
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) })).statusCode).toBe(404);
      await t.db.prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
      expect((await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(token.secret) })).statusCode).toBe(401);
    });

    it("reach the tenant admin API only as a tenant admin's unnarrowed token", async () => {
      const tenant = await t.db.prisma.tenant.create({ data: { workspaceId: ws.id, key: unique("tenant"), name: "Tenant" } });
      const tenantAdmin = await member(ws.id, "tenant_admin", tenant.id);
      const full = await pat(tenantAdmin.headers);
      expect((await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: bearer(full.secret) })).statusCode).toBe(200);
      const narrowed = await pat(tenantAdmin.headers, { maxRole: "viewer" });
      expect((await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: bearer(narrowed.secret) })).statusCode).toBe(403);
      const ownerToken = await pat(owner.headers);
      expect((await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: bearer(ownerToken.secret) })).statusCode).toBe(403);
    });

    it("are taken from the Authorization header only, never from a URL", async () => {
      const token = await pat(admin.headers);
      const inQuery = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/events?accessToken=${token.secret}` });
      expect(inQuery.statusCode).toBe(401);
      const row = await t.db.prisma.personalToken.findUniqueOrThrow({ where: { id: token.id } });
      expect(row.lastUsedAt).toBeNull();
    });

    it("write their last use at most once a minute", async () => {
      const token = await pat(admin.headers);
      await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) });
      const first = (await t.db.prisma.personalToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt;
      expect(first).not.toBeNull();
      await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) });
      expect((await t.db.prisma.personalToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt).toEqual(first);
      const stale = new Date(Date.now() - 120_000);
      await t.db.prisma.personalToken.update({ where: { id: token.id }, data: { lastUsedAt: stale } });
      await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) });
      expect((await t.db.prisma.personalToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt!.getTime()).toBeGreaterThan(stale.getTime());
    });
  });

  describe("service tokens", () => {
    it("are created by keys:manage holders only, listed without secrets, and audited", async () => {
      const editor = await member(ws.id, "editor");
      const refused = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: editor.headers, payload: { name: "ci", role: "editor" } });
      expect(refused.statusCode).toBe(403);
      const ownerRole = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: admin.headers, payload: { name: "ci", role: "owner" } });
      expect(ownerRole.statusCode).toBe(400);
      const unknownEnv = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: admin.headers, payload: { name: "ci", role: "editor", environment: "nope" } });
      expect(unknownEnv.statusCode).toBe(404);

      const created = await serviceToken({ role: "editor", environment: "staging" });
      expect(created.secret).toMatch(/^ens_svc_[A-Za-z0-9_-]{43}$/);
      expect(created).toMatchObject({ role: "editor", environment: "staging" });
      const list = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: admin.headers });
      expect(list.json().items).toEqual([expect.objectContaining({ id: created.id, prefix: created.prefix, role: "editor", environment: "staging", createdBy: admin.email })]);
      expect(list.body).not.toContain(created.secret);
      const otherList = await t.app.inject({ method: "GET", url: `/v1/workspaces/${other.slug}/service-tokens`, headers: (await member(other.id, "owner")).headers });
      expect(otherList.json().items).toEqual([]);

      const [entry] = await auditOf(t.db, ws.id, "service_token.created");
      expect(entry).toMatchObject({ actorType: "user", actorId: admin.id, targetId: created.id, after: { prefix: created.prefix, role: "editor", environment: "staging" } });
    });

    it("bound to an environment change only its state", async () => {
      const token = await serviceToken({ role: "editor", environment: "staging" });
      const own = await toggle(bearer(token.secret), "staging", true);
      expect(own.statusCode).toBe(200);
      const elsewhere = await toggle(bearer(token.secret), "production", false);
      expect(elsewhere.statusCode).toBe(403);
      expect(elsewhere.json().error.message).toContain("staging");
      // Reading any environment stays allowed; workspace-wide changes do not.
      expect((await t.app.inject({ method: "GET", url: stateUrl("production"), headers: bearer(token.secret) })).statusCode).toBe(200);
      const segment = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/segments`, headers: bearer(token.secret), payload: { key: unique("s"), name: "S", rules: [] } });
      expect(segment.statusCode).toBe(403);

      const unbound = await serviceToken({ role: "editor" });
      expect((await toggle(bearer(unbound.secret), "production", true)).statusCode).toBe(200);
    });

    it("bound to an environment end with it", async () => {
      const env = `temp-${Date.now()}`;
      const created = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/environments`, headers: owner.headers, payload: { key: env, name: "Temp" } });
      expect(created.statusCode).toBe(201);
      const token = await serviceToken({ role: "editor", environment: env });
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) })).statusCode).toBe(200);
      const removed = await t.app.inject({
        method: "DELETE",
        url: `/v1/workspaces/${ws.slug}/environments/${env}`,
        headers: { ...owner.headers, ...ifMatch(created.json().version) },
        payload: { confirm: env },
      });
      expect(removed.statusCode).toBe(204);
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) })).statusCode).toBe(401);
    });

    it("act in their own workspace only, and never outside it", async () => {
      const token = await serviceToken({ role: "admin" });
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${other.slug}`, headers: bearer(token.secret) })).statusCode).toBe(404);
      expect((await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: bearer(token.secret) })).statusCode).toBe(403);
      expect((await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: bearer(token.secret) })).statusCode).toBe(403);
      expect((await t.app.inject({ method: "POST", url: "/v1/workspaces", headers: bearer(token.secret), payload: { slug: unique("x"), name: "X" } })).statusCode).toBe(403);
      // A token cannot mint another token.
      const mint = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: bearer(token.secret), payload: { name: "more", role: "admin" } });
      expect(mint.statusCode).toBe(403);
      const ownersToken = await pat(owner.headers);
      const mintByPat = await t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/service-tokens`, headers: bearer(ownersToken.secret), payload: { name: "more", role: "admin" } });
      expect(mintByPat.statusCode).toBe(403);
      const viewer = await serviceToken({ role: "viewer" });
      expect((await toggle(bearer(viewer.secret), "production", true)).statusCode).toBe(403);
    });

    it("are refused with 401 once revoked or expired", async () => {
      const token = await serviceToken({ role: "viewer" });
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) })).statusCode).toBe(200);
      const revoke = await t.app.inject({ method: "DELETE", url: `/v1/workspaces/${ws.slug}/service-tokens/${token.id}`, headers: owner.headers });
      expect(revoke.statusCode).toBe(200);
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(token.secret) })).statusCode).toBe(401);
      const [entry] = await auditOf(t.db, ws.id, "service_token.revoked");
      expect(entry).toMatchObject({ actorId: owner.id, targetId: token.id });

      const expired = await serviceToken({ role: "viewer" });
      await t.db.prisma.serviceToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      expect((await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: bearer(expired.secret) })).statusCode).toBe(401);
      const elsewhere = await t.app.inject({ method: "DELETE", url: `/v1/workspaces/${other.slug}/service-tokens/${expired.id}`, headers: (await member(other.id, "owner")).headers });
      expect(elsewhere.statusCode).toBe(404);
    });
  });

  it("audit entries name the token, and its user for personal tokens", async () => {
    const personal = await pat(admin.headers, { name: "deploy-script" });
    await toggle({ ...bearer(personal.secret), "user-agent": "deploy-script/1" }, "development", false);
    const service = await serviceToken({ role: "editor", name: "github-actions" });
    await toggle(bearer(service.secret), "development", true);
    const entries = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "flag_state.toggled", environmentKey: "development" }, orderBy: { id: "desc" }, take: 2 });
    expect(entries[1]).toMatchObject({ actorType: "personal_token", actorId: personal.id, actorUserId: admin.id, actorEmail: admin.email, actorName: "deploy-script", actorRole: "admin", userAgent: "deploy-script/1" });
    expect(entries[0]).toMatchObject({ actorType: "service_token", actorId: service.id, actorName: "github-actions", actorRole: "editor", actorUserId: null });

    const api = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/audit?action=flag_state.toggled&pageSize=2`, headers: owner.headers });
    expect(api.json().items.map((i: { actor: unknown }) => i.actor)).toEqual([
      { type: "service_token", id: service.id, userId: null, name: "github-actions", email: null, role: "editor" },
      { type: "personal_token", id: personal.id, userId: admin.id, name: "deploy-script", email: admin.email, role: "admin" },
    ]);

    // Filtering by the user finds their token's changes too; by the token, only its own.
    const byUser = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/audit?actor=${admin.id}`, headers: owner.headers });
    expect(byUser.json().items.map((i: { actor: { id: string } }) => i.actor.id)).toContain(personal.id);
    const byToken = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/audit?actor=${service.id}`, headers: owner.headers });
    expect(byToken.json().items.map((i: { actor: { id: string } }) => i.actor.id)).toEqual([service.id]);
  });

  it("never puts a token's secret in the audit log or the logs", async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const audit = await allAuditText(t);
    const logText = logs.join("\n");
    expect(logText.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(audit).not.toContain(secret);
      expect(logText).not.toContain(secret);
      expect(logText).not.toContain(secret.slice(14));
    }
  });
});
