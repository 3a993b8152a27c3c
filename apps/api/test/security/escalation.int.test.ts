import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app";
import { createUser } from "../helpers/fixtures";
import { envId } from "../helpers/tenancy-fixtures";
import { createWorld, type World } from "./world";

/**
 * Callers the guard admits, trying to reach beyond their role: admins making owners (or
 * themselves owners), tenant admins unlocking what the workspace admins pinned or reaching
 * another tenant, and what a tenant admin may read of the workspace's people.
 */
describe("privilege escalation", () => {
  let t: TestApp;
  let world: World;
  let ws: string;
  let attacks = 0;

  const membership = (caller: keyof World["memberIds"]) => t.db.prisma.membership.findUniqueOrThrow({ where: { id: world.memberIds[caller]! } });

  beforeAll(async () => {
    t = await createTestApp();
    world = await createWorld(t);
    ws = `/v1/workspaces/${world.a.slug}`;
  });
  afterAll(() => {
    console.info(`privilege escalation attempts checked: ${attacks}`);
    return t.close();
  });

  it("lets no admin grant, take or remove the owner role, their own included", async () => {
    const admin = world.headers.admin;
    const stranger = await createUser(t.db);
    const own = await membership("admin");
    const owner = await membership("owner");
    const attempts = [
      { method: "POST", url: `${ws}/invitations`, payload: { email: stranger.email, role: "owner" } },
      { method: "PATCH", url: `${ws}/members/${own.id}`, headers: { "if-match": `"${own.version}"` }, payload: { role: "owner" } },
      { method: "PATCH", url: `${ws}/members/${owner.id}`, headers: { "if-match": `"${owner.version}"` }, payload: { role: "viewer" } },
      { method: "DELETE", url: `${ws}/members/${owner.id}`, headers: { "if-match": `"${owner.version}"` } },
    ] as const;
    for (const attempt of attempts) {
      attacks++;
      const res = await t.app.inject({ ...attempt, headers: { ...admin, ...("headers" in attempt ? attempt.headers : {}) } });
      expect({ url: attempt.url, method: attempt.method, status: res.statusCode, code: res.json().error?.code }).toEqual({ url: attempt.url, method: attempt.method, status: 403, code: "FORBIDDEN" });
    }
    expect((await membership("admin")).role).toBe("admin");
    expect((await membership("owner")).role).toBe("owner");
    expect(await t.db.prisma.membership.count({ where: { userId: stranger.id } })).toBe(0);
    expect(await t.db.prisma.invitation.count({ where: { email: stranger.email } })).toBe(0);
  });

  it("lets no editor or viewer change a membership, their own included", async () => {
    for (const caller of ["editor", "viewer"] as const) {
      attacks++;
      const own = await membership(caller);
      const res = await t.app.inject({ method: "PATCH", url: `${ws}/members/${own.id}`, headers: { ...world.headers[caller], "if-match": `"${own.version}"` }, payload: { role: "admin" } });
      expect(res.statusCode).toBe(403);
      expect((await membership(caller)).role).toBe(caller);
    }
  });

  it("keeps a tenant admin from unpinning a locked feature or naming another tenant", async () => {
    const tenantAdmin = world.headers.tenantAdmin;
    const production = envId(world.a);
    await t.db.prisma.tenantOverride.updateMany({ where: { tenantId: world.a.tenantA.id, environmentId: production }, data: { locked: true } });
    await t.db.prisma.environment.updateMany({ where: { workspaceId: world.a.id }, data: { snapshotVersion: { increment: 1 } } });
    const locked = await t.db.prisma.tenantOverride.findFirstOrThrow({ where: { tenantId: world.a.tenantA.id, environmentId: production } });

    attacks++;
    const off = await t.app.inject({ method: "PUT", url: "/v1/tenant/features/kb", headers: tenantAdmin, payload: { enabled: false } });
    expect(off.statusCode).toBe(403);
    expect(off.json().error.code).toBe("FEATURE_LOCKED");
    attacks++;
    const forced = await t.app.inject({ method: "PUT", url: "/v1/tenant/features/kb", headers: tenantAdmin, payload: { enabled: false, force: true } });
    expect(forced.statusCode).toBe(403);
    for (const extra of [{ locked: false }, { tenantKey: world.a.tenantB.key }, { tenantId: world.a.tenantB.id }, { variant: "off" }]) {
      attacks++;
      const res = await t.app.inject({ method: "PUT", url: "/v1/tenant/features/kb", headers: tenantAdmin, payload: { enabled: true, ...extra } });
      expect({ extra, status: res.statusCode }).toEqual({ extra, status: 400 });
    }
    attacks++;
    const viaAdminApi = await t.app.inject({ method: "POST", url: `${ws}/flags/kb/environments/production/tenant-overrides/${world.a.tenantA.key}/unlock`, headers: tenantAdmin });
    expect(viaAdminApi.statusCode).toBe(403);
    expect(await t.db.prisma.tenantOverride.findUniqueOrThrow({ where: { id: locked.id } })).toEqual(locked);
    expect(await t.db.prisma.tenantOverride.count({ where: { tenantId: world.a.tenantB.id } })).toBe(0);
  });

  it("shows a tenant admin who changed their tenant, but not the workspace admins' emails", async () => {
    const current = await t.db.prisma.tenantOverride.findFirstOrThrow({ where: { tenantId: world.a.tenantA.id, environmentId: envId(world.a) } });
    const set = await t.app.inject({
      method: "PUT",
      url: `${ws}/flags/kb/environments/production/tenant-overrides/${world.a.tenantA.key}`,
      headers: { ...world.headers.owner, "if-match": `"${current.version}"` },
      payload: { variant: "on", locked: false },
    });
    expect(set.statusCode).toBeLessThan(300);
    attacks++;
    const audit = await t.app.inject({ method: "GET", url: "/v1/tenant/audit", headers: world.headers.tenantAdmin });
    expect(audit.statusCode).toBe(200);
    expect(audit.json().items.length).toBeGreaterThan(0);
    expect(audit.body).not.toContain(world.emails.owner);
    const members = await t.app.inject({ method: "GET", url: `${ws}/members`, headers: world.headers.tenantAdmin });
    expect(members.statusCode).toBe(403);
  });
});
