import type { Role } from "@ensign/contracts/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers/app";
import { createWorkspace, memberHeaders } from "./helpers/fixtures";
import { createFlag, createModule, createTenant, setOverride, touch } from "./helpers/tenancy-fixtures";

/**
 * Who may call each tenant, override and tenant-admin route. Each caller gets resources of its
 * own (`{who}` in paths), so an allowed call succeeds whatever the others did. A member whose
 * role lacks the capability gets 403; a member of another workspace gets 404 (slugs do not leak).
 */
type Caller = Role | "other";
const CALLERS: Caller[] = ["owner", "admin", "editor", "viewer", "tenant_admin", "other"];
const READ: Caller[] = ["owner", "admin", "editor", "viewer"];
const DEFINE: Caller[] = ["owner", "admin"];
const OVERRIDE: Caller[] = ["owner", "admin", "editor"];
const LOCK: Caller[] = ["owner", "admin"];
const TENANT: Caller[] = ["tenant_admin"];

interface Row {
  route: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body?: object;
  ifMatch?: string;
  allowed: Caller[];
  status: number;
}

const ws = "/v1/workspaces/{ws}";
const override = `${ws}/flags/kb/environments/production/tenant-overrides`;
const user = `${ws}/flags/kb/environments/production/user-overrides`;

const MATRIX: Row[] = [
  { route: "list tenants", method: "GET", path: `${ws}/tenants`, allowed: READ, status: 200 },
  { route: "create tenant", method: "POST", path: `${ws}/tenants`, body: { key: "new-{who}", name: "New" }, allowed: DEFINE, status: 201 },
  { route: "tenant detail", method: "GET", path: `${ws}/tenants/t-{who}`, allowed: READ, status: 200 },
  { route: "update tenant", method: "PATCH", path: `${ws}/tenants/t-{who}`, body: { name: "Renamed" }, ifMatch: '"1"', allowed: DEFINE, status: 200 },
  { route: "switch module", method: "PUT", path: `${ws}/tenants/m-{who}/modules/FIN`, body: { enabled: false }, allowed: DEFINE, status: 200 },
  { route: "delete tenant", method: "DELETE", path: `${ws}/tenants/d-{who}`, ifMatch: '"1"', allowed: DEFINE, status: 204 },
  { route: "list tenant overrides", method: "GET", path: override, allowed: READ, status: 200 },
  { route: "tenant override", method: "GET", path: `${override}/l-{who}`, allowed: READ, status: 200 },
  { route: "set tenant override", method: "PUT", path: `${override}/t-{who}`, body: { variant: "on" }, allowed: OVERRIDE, status: 201 },
  { route: "lock tenant override", method: "POST", path: `${override}/l-{who}/lock`, allowed: LOCK, status: 200 },
  { route: "unlock tenant override", method: "POST", path: `${override}/l-{who}/unlock`, allowed: LOCK, status: 200 },
  { route: "clear tenant override", method: "DELETE", path: `${override}/c-{who}`, allowed: OVERRIDE, status: 204 },
  {
    route: "bulk overrides",
    method: "POST",
    path: `${ws}/environments/production/tenant-overrides/bulk`,
    body: { action: "set", flag: "kb", tenants: ["t-{who}"], preview: true },
    allowed: OVERRIDE,
    status: 200,
  },
  { route: "list user overrides", method: "GET", path: user, allowed: READ, status: 200 },
  { route: "user override", method: "GET", path: `${user}/u-{who}`, allowed: READ, status: 200 },
  { route: "set user override", method: "PUT", path: `${user}/new-{who}`, body: { variant: "on" }, allowed: OVERRIDE, status: 201 },
  { route: "clear user override", method: "DELETE", path: `${user}/u-{who}`, allowed: OVERRIDE, status: 204 },
  { route: "tenant features", method: "GET", path: "/v1/tenant/features", allowed: TENANT, status: 200 },
  { route: "tenant feature", method: "GET", path: "/v1/tenant/features/kb", allowed: TENANT, status: 200 },
  { route: "toggle tenant feature", method: "PUT", path: "/v1/tenant/features/kb", body: { enabled: true }, allowed: TENANT, status: 200 },
  { route: "tenant audit", method: "GET", path: "/v1/tenant/audit", allowed: TENANT, status: 200 },
];

describe("role matrix of the tenant, override and tenant-admin routes", () => {
  let t: TestApp;
  let slug: string;
  const headers = {} as Record<Caller, Record<string, string>>;

  beforeAll(async () => {
    t = await createTestApp();
    const workspace = await createWorkspace(t.db);
    const other = await createWorkspace(t.db);
    slug = workspace.slug;
    await createModule(t.db, workspace, "FIN");
    const kb = await createFlag(t.db, workspace, { key: "kb" });
    for (const who of CALLERS) {
      for (const prefix of ["t", "m", "d", "l", "c"]) await createTenant(t.db, workspace, `${prefix}-${who}`);
      const locked = await t.db.prisma.tenant.findFirstOrThrow({ where: { workspaceId: workspace.id, key: `l-${who}` } });
      const cleared = await t.db.prisma.tenant.findFirstOrThrow({ where: { workspaceId: workspace.id, key: `c-${who}` } });
      await setOverride(t.db, workspace, kb.id, locked.id, "on");
      await setOverride(t.db, workspace, kb.id, cleared.id, "on");
      await t.db.prisma.userOverride.create({
        data: { workspaceId: workspace.id, flagId: kb.id, environmentId: workspace.environments[2]!.id, userKey: `u-${who}`, variant: "on" },
      });
    }
    await touch(t.db, workspace);
    for (const role of ["owner", "admin", "editor", "viewer"] as const) headers[role] = await memberHeaders(t.app, t.db, workspace.id, role);
    const own = await t.db.prisma.tenant.findFirstOrThrow({ where: { workspaceId: workspace.id, key: "t-tenant_admin" } });
    headers.tenant_admin = await memberHeaders(t.app, t.db, workspace.id, "tenant_admin", own.id);
    headers.other = await memberHeaders(t.app, t.db, other.id, "owner");
  });
  afterAll(() => t.close());

  it.each(MATRIX)("$method $route", async (row) => {
    const outcomes: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const who of CALLERS) {
      const url = row.path.replace("{ws}", slug).replaceAll("{who}", who);
      const payload = row.body ? JSON.parse(JSON.stringify(row.body).replaceAll("{who}", who)) : undefined;
      const res = await t.app.inject({
        method: row.method,
        url,
        headers: { ...headers[who], "user-agent": "role-matrix", ...(row.ifMatch ? { "if-match": row.ifMatch } : {}) },
        ...(payload ? { payload } : {}),
      });
      outcomes[who] = res.statusCode;
      const isTenantRoute = row.path.startsWith("/v1/tenant/");
      expected[who] = row.allowed.includes(who) ? row.status : who === "other" && !isTenantRoute ? 404 : 403;
    }
    expect(outcomes).toEqual(expected);
  });

  it("audited every write that went through: actor, role, IP, user agent, and what changed", async () => {
    const entries = await t.db.prisma.auditEntry.findMany({ where: { workspace: { slug } } });
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      "tenant.created",
      "tenant.updated",
      "tenant.deleted",
      "tenant_module.disabled",
      "tenant_override.set",
      "tenant_override.locked",
      "tenant_override.unlocked",
      "tenant_override.cleared",
      "user_override.set",
      "user_override.cleared",
      "tenant_feature.enabled",
    ]) {
      expect(actions).toContain(action);
    }
    for (const entry of entries) {
      expect(entry).toMatchObject({ actorType: "user", ip: "127.0.0.1", userAgent: "role-matrix" });
      expect(entry.actorId).toBeTruthy();
      expect(entry.actorEmail).toMatch(/@example\.test$/);
      expect(["owner", "admin", "editor", "tenant_admin"]).toContain(entry.actorRole);
      expect(entry.before !== null || entry.after !== null).toBe(true);
    }
    // Nothing refused left a trace: viewers and other workspaces' members wrote nothing.
    expect(entries.filter((e) => e.actorRole === "viewer")).toEqual([]);
  });

  it("refuses anonymous callers on every route with 401", async () => {
    for (const row of MATRIX) {
      const res = await t.app.inject({ method: row.method, url: row.path.replace("{ws}", slug).replaceAll("{who}", "owner"), ...(row.body ? { payload: row.body } : {}) });
      expect({ route: row.route, status: res.statusCode }).toEqual({ route: row.route, status: 401 });
    }
  });
});
