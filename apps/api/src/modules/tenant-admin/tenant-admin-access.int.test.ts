import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createMember, createWorkspace, login, memberHeaders } from "../../../test/helpers/fixtures";
import { countRows, createFlag, createModule, createTenant } from "../../../test/helpers/tenancy-fixtures";

describe("tenant admin access and audit", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let second: Awaited<ReturnType<typeof createWorkspace>>;
  let mine: Record<string, string>;
  let theirs: Record<string, string>;
  let admin: Record<string, string>;
  let both: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    second = await createWorkspace(t.db);
    const a = await createTenant(t.db, ws, "tenant-a");
    const b = await createTenant(t.db, ws, "tenant-b");
    const elsewhere = await createTenant(t.db, second, "tenant-x");
    await createFlag(t.db, ws, { key: "reports" });
    await createFlag(t.db, second, { key: "reports" });
    await createModule(t.db, ws, "FIN");
    mine = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", a.id);
    theirs = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", b.id);
    admin = await memberHeaders(t.app, t.db, ws.id, "admin");
    // One person, tenant admin in two workspaces.
    const user = await createMember(t.db, ws.id, "tenant_admin", a.id);
    await t.db.prisma.membership.create({ data: { workspaceId: second.id, userId: user.id, role: "tenant_admin", tenantId: elsewhere.id } });
    both = (await login(t.app, user.email)).headers;
  });
  afterAll(() => t.close());

  it("binds every route to the caller's own tenant: nothing reaches another tenant", async () => {
    const rows = await countRows(t.db, ws.id);
    await t.app.inject({ method: "PUT", url: "/v1/tenant/features/reports", headers: mine, payload: { enabled: true } });
    const b = await t.app.inject({ method: "GET", url: "/v1/tenant/features/reports", headers: theirs });
    expect(b.json()).toMatchObject({ enabled: false, override: null });
    // Naming another tenant anywhere has no effect: there is no such parameter.
    const smuggled = await t.app.inject({ method: "PUT", url: "/v1/tenant/features/reports?tenant=tenant-b&tenantKey=tenant-b", headers: mine, payload: { enabled: false } });
    expect(smuggled.statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: "/v1/tenant/features/reports", headers: theirs })).json().override).toBeNull();
    const overrides = await t.db.prisma.tenantOverride.findMany({ where: { workspaceId: ws.id }, select: { tenant: { select: { key: true } } } });
    expect(overrides.map((o) => o.tenant.key)).toEqual(["tenant-a"]);
    expect(await countRows(t.db, ws.id)).toMatchObject({ tenantOverrides: rows.tenantOverrides + 1 });
  });

  it("keeps tenant admins out of the workspace admin routes, for their own tenant and others", async () => {
    const attempts = [
      { method: "GET" as const, url: `/v1/workspaces/${ws.slug}/tenants` },
      { method: "GET" as const, url: `/v1/workspaces/${ws.slug}/tenants/tenant-a` },
      { method: "PATCH" as const, url: `/v1/workspaces/${ws.slug}/tenants/tenant-b`, payload: { name: "x" } },
      { method: "PUT" as const, url: `/v1/workspaces/${ws.slug}/flags/reports/environments/production/tenant-overrides/tenant-b`, payload: { variant: "on" } },
      { method: "POST" as const, url: `/v1/workspaces/${ws.slug}/flags/reports/environments/production/tenant-overrides/tenant-a/unlock` },
      { method: "POST" as const, url: `/v1/workspaces/${ws.slug}/environments/production/tenant-overrides/bulk`, payload: { action: "disable_all", tenants: ["tenant-b"] } },
    ];
    const rows = await countRows(t.db, ws.id);
    for (const attempt of attempts) {
      const res = await t.app.inject({ ...attempt, headers: mine });
      expect({ url: attempt.url, status: res.statusCode }).toEqual({ url: attempt.url, status: 403 });
    }
    expect(await countRows(t.db, ws.id)).toEqual(rows);
  });

  it("requires ?workspace= of someone who is tenant admin in several workspaces, naming the parameter", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: both });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues[0]).toMatchObject({ path: "querystring.workspace" });
    expect(res.json().error.details.issues[0].message).toContain(second.slug);
    const first = await t.app.inject({ method: "GET", url: `/v1/tenant/features?workspace=${ws.slug}`, headers: both });
    expect(first.json().tenant.key).toBe("tenant-a");
    const other = await t.app.inject({ method: "GET", url: `/v1/tenant/features?workspace=${second.slug}`, headers: both });
    expect(other.json().tenant.key).toBe("tenant-x");
    // A workspace where the caller is not a tenant admin looks like no workspace at all.
    for (const url of [`/v1/tenant/features?workspace=${second.slug}`, "/v1/tenant/audit?workspace=nowhere", `/v1/tenant/features/reports?workspace=${second.slug}`]) {
      expect((await t.app.inject({ method: "GET", url, headers: mine })).statusCode).toBe(404);
    }
    const put = await t.app.inject({ method: "PUT", url: `/v1/tenant/features/reports?workspace=${second.slug}`, headers: mine, payload: { enabled: true } });
    expect(put.statusCode).toBe(404);
    expect(await t.db.prisma.tenantOverride.count({ where: { workspaceId: second.id } })).toBe(0);
  });

  it("refuses workspace members who are not tenant admins, and anonymous callers", async () => {
    for (const url of ["/v1/tenant/features", "/v1/tenant/features/reports", "/v1/tenant/audit"]) {
      expect((await t.app.inject({ method: "GET", url, headers: admin })).statusCode).toBe(403);
      expect((await t.app.inject({ method: "GET", url })).statusCode).toBe(401);
    }
  });

  it("shows a tenant admin only their tenant's feature and module entries, without IPs or staff emails", async () => {
    await t.app.inject({ method: "PUT", url: "/v1/tenant/features/reports", headers: theirs, payload: { enabled: true } });
    await t.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/tenants/tenant-a/modules/FIN`, headers: admin, payload: { enabled: false } });
    await t.app.inject({ method: "PATCH", url: `/v1/workspaces/${ws.slug}/tenants/tenant-a`, headers: { ...admin, "if-match": '"1"' }, payload: { attributes: { internal: "note" } } });
    await t.app.inject({
      method: "PUT",
      url: `/v1/workspaces/${ws.slug}/flags/reports/environments/staging/tenant-overrides/tenant-a`,
      headers: admin,
      payload: { variant: "on" },
    });
    const res = await t.app.inject({ method: "GET", url: "/v1/tenant/audit", headers: mine });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((e: { action: string; environment: string | null }) => [e.action, e.environment])).toEqual([
      ["tenant_override.set", "staging"],
      ["tenant_module.disabled", null],
      ["tenant_feature.disabled", "production"],
      ["tenant_feature.enabled", "production"],
    ]);
    expect(res.json().total).toBe(4);
    expect(items[0].actor).toEqual({ type: "user", role: "admin", email: null });
    expect(items[1]).toMatchObject({ targetType: "tenant_module", targetKey: "FIN", before: { enabled: true }, after: { enabled: false } });
    expect(items[3].actor.role).toBe("tenant_admin");
    expect(items[3].actor.email).toMatch(/@example\.test$/);
    expect(JSON.stringify(items)).not.toContain("127.0.0.1");

    const filtered = await t.app.inject({ method: "GET", url: "/v1/tenant/audit?action=tenant_feature.enabled&flag=reports&pageSize=1", headers: mine });
    expect(filtered.json()).toMatchObject({ total: 1, pageSize: 1, items: [{ action: "tenant_feature.enabled", targetKey: "reports" }] });
    const future = await t.app.inject({ method: "GET", url: `/v1/tenant/audit?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, headers: mine });
    expect(future.json().total).toBe(0);
    const bad = await t.app.inject({ method: "GET", url: "/v1/tenant/audit?from=yesterday&page=0", headers: mine });
    expect(bad.json().error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(["querystring.from", "querystring.page"]);
    const theirsAudit = await t.app.inject({ method: "GET", url: "/v1/tenant/audit", headers: theirs });
    expect(theirsAudit.json().items.map((e: { action: string }) => e.action)).toEqual(["tenant_feature.enabled"]);
  });
});
