import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, createFlag, expectRoleMatrix, ifMatch, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey } from "../../../test/helpers/evaluation-fixtures";

/*
 * End-user roles through HTTP on the real PostgreSQL and Redis: the default hierarchy every
 * workspace starts with, custom workspace and tenant roles, the checks (cycles, unknown roles,
 * roles still in use), the audit of every change, and seed 001's role upgrade as an end user
 * of the product sees it through the evaluation API.
 */
describe("end-user roles", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;
  let serverKey: string;

  const list = async (url = base, who: Headers = headers.viewer) => {
    const res = await t.app.inject({ method: "GET", url, headers: who });
    expect(res.statusCode).toBe(200);
    return res.json().items as { key: string; level: number; version: number; tenantKey: string | null; inherits: string[]; inheritedBy: string[]; usedByFlags: number }[];
  };
  const versionOf = async (key: string, url = base) => (await list(url)).find((role) => role.key === key)!.version;

  /** Adds a rule serving `on` to those who have `role` or above, through the flag state API. */
  async function gate(flagKey: string, role: string) {
    const url = `/v1/workspaces/${world.ws.slug}/flags/${flagKey}/environments/production`;
    const state = await t.app.inject({ method: "GET", url, headers: headers.owner });
    const added = await t.app.inject({
      method: "POST",
      url: `${url}/rules`,
      headers: { ...headers.owner, "if-match": state.headers.etag as string },
      payload: { conditions: [{ attribute: "role", operator: "role_at_least", values: [role] }], serve: { variant: "on" } },
    });
    expect(added.statusCode).toBe(201);
  }

  /** The flags an end user sees switched on, asked of the evaluation API with a server key. */
  async function unlocked(context: Record<string, unknown>): Promise<string[]> {
    const res = await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(serverKey), payload: { context } });
    expect(res.statusCode).toBe(200);
    return (res.json().flags as { key: string; value: unknown }[])
      .filter((flag) => flag.value === true)
      .map((flag) => flag.key)
      .sort();
  }
  const setRole = async (user: string, role: string) => {
    const res = await t.app.inject({ method: "PATCH", url: `/v1/identities/${user}/traits`, headers: apiKeyHeaders(serverKey), payload: { traits: { role } } });
    expect(res.statusCode).toBe(200);
  };

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/roles`;
    const envIds = world.ws.environments.map((e) => e.id);
    for (const key of ["employee-dashboard", "manager-reports", "admin-console", "lead-planner"]) {
      const flag = await createFlag(t, world.ws.id, key, envIds);
      // Off unless a rule lets the end user in.
      await t.db.prisma.flagState.updateMany({ where: { flagId: flag.id }, data: { fallthrough: { variant: "off" } } });
    }
    const production = world.ws.environments.find((e) => e.key === "production")!;
    serverKey = (await createApiKey(t.db, world.ws.id, production.id, "server")).secret;
  });
  afterAll(() => t.close());

  it("starts every workspace with employee < manager < admin", async () => {
    const roles = await list();
    expect(roles.map(({ key, level, inherits, tenantKey }) => ({ key, level, inherits, tenantKey }))).toEqual([
      { key: "employee", level: 0, inherits: [], tenantKey: null },
      { key: "manager", level: 1, inherits: ["employee"], tenantKey: null },
      { key: "admin", level: 2, inherits: ["manager"], tenantKey: null },
    ]);
    expect((await list(`/v1/workspaces/${world.other.slug}/roles`, headers.outsider)).map((role) => role.key)).toEqual(["employee", "manager", "admin"]);
  });

  it("backfills the defaults the way the migration does for workspaces that existed before roles, idempotently", async () => {
    await t.db.prisma.endUserRole.deleteMany({ where: { workspaceId: world.other.id } });
    for (let i = 0; i < 2; i++) await t.db.prisma.$executeRaw`SELECT ensign_default_end_user_roles(${world.other.id}::uuid)`;
    expect((await list(`/v1/workspaces/${world.other.slug}/roles`, headers.outsider)).map((role) => `${role.key}:${role.level}`)).toEqual(["employee:0", "manager:1", "admin:2"]);
  });

  it("lets members read and owners and admins change roles; other workspaces see nothing", async () => {
    await expectRoleMatrix(t, headers, [
      { name: "list roles", method: "GET", url: base, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "create a role", method: "POST", url: base, allowed: ["owner", "admin"], allowedStatus: 400, payload: { key: "" } },
      { name: "list a tenant's roles", method: "GET", url: `/v1/workspaces/${world.ws.slug}/tenants/${world.tenant.key}/roles`, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "change a role", method: "PATCH", url: `${base}/manager`, allowed: ["owner", "admin"], allowedStatus: 400, payload: { inherits: "x" }, headers: ifMatch(1) },
    ]);
    const foreign = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/roles`, headers: headers.outsider });
    expect(foreign.statusCode).toBe(404);
  });

  it("seed 001: a role upgrade from employee to manager to admin unlocks each level's features", async () => {
    await gate("employee-dashboard", "employee");
    await gate("manager-reports", "manager");
    await gate("admin-console", "admin");

    await setRole("pat", "employee");
    expect(await unlocked({ targetingKey: "pat" })).toEqual(["employee-dashboard"]);
    await setRole("pat", "manager");
    expect(await unlocked({ targetingKey: "pat" })).toEqual(["employee-dashboard", "manager-reports"]);
    await setRole("pat", "admin");
    expect(await unlocked({ targetingKey: "pat" })).toEqual(["admin-console", "employee-dashboard", "manager-reports"]);
    // Someone without a role, or with one the hierarchy does not know, unlocks nothing.
    expect(await unlocked({ targetingKey: "guest" })).toEqual([]);
    expect(await unlocked({ targetingKey: "guest", role: "intern" })).toEqual([]);
    expect((await list()).find((role) => role.key === "manager")?.usedByFlags).toBe(1);
  });

  it("adds a workspace role between two levels, audited in the change's transaction and reaching evaluation", async () => {
    const before = await t.db.prisma.environment.findMany({ where: { workspaceId: world.ws.id }, orderBy: { key: "asc" } });
    const created = await t.app.inject({ method: "POST", url: base, headers: { ...headers.admin, "user-agent": "roles-test" }, payload: { key: "director", name: "Director", inherits: ["manager"] } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ key: "director", level: 2, inherits: ["manager"], tenantKey: null, version: 1 });
    const admin = await t.app.inject({ method: "PATCH", url: `${base}/admin`, headers: { ...headers.owner, ...ifMatch(await versionOf("admin")) }, payload: { inherits: ["director"] } });
    expect(admin.statusCode).toBe(200);
    expect(admin.json()).toMatchObject({ key: "admin", level: 3, inherits: ["director"], version: 2 });
    const after = await t.db.prisma.environment.findMany({ where: { workspaceId: world.ws.id }, orderBy: { key: "asc" } });
    expect(after.map((e) => e.snapshotVersion)).toEqual(before.map((e) => e.snapshotVersion + 2));

    const entry = (await auditOf(t.db, world.ws.id, "role.created")).at(-1);
    expect(entry).toMatchObject({ actorRole: "admin", userAgent: "roles-test", targetType: "role", targetKey: "director", after: { key: "director", inherits: ["manager"] } });
    const updated = (await auditOf(t.db, world.ws.id, "role.updated")).at(-1);
    expect(updated).toMatchObject({ actorRole: "owner", targetKey: "admin", before: { inherits: ["manager"] }, after: { inherits: ["director"] } });

    await setRole("dana", "director");
    expect(await unlocked({ targetingKey: "dana" })).toEqual(["employee-dashboard", "manager-reports"]);
    expect(await unlocked({ targetingKey: "pat" })).toEqual(["admin-console", "employee-dashboard", "manager-reports"]);
  });

  it("refuses a change that would make a role inherit itself, naming the cycle", async () => {
    const res = await t.app.inject({ method: "PATCH", url: `${base}/employee`, headers: { ...headers.owner, ...ifMatch(await versionOf("employee")) }, payload: { inherits: ["admin"] } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "ROLE_CYCLE", message: expect.stringContaining("employee → admin → director → manager → employee."), details: { cycle: ["employee", "admin", "director", "manager", "employee"] } });
    const self = await t.app.inject({ method: "PATCH", url: `${base}/employee`, headers: { ...headers.owner, ...ifMatch(await versionOf("employee")) }, payload: { inherits: ["employee"] } });
    expect(self.statusCode).toBe(400);
    expect(issuePaths(self)).toEqual(["body.inherits.0"]);
    expect((await list()).find((role) => role.key === "employee")?.inherits).toEqual([]);
  });

  it("refuses unknown roles, workspace roles placed with inheritedBy, taken keys and stale versions", async () => {
    const unknown = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "ghostly", name: "Ghostly", inherits: ["ghost"] } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details.issues).toEqual([{ path: "body.inherits.0", message: "there is no role 'ghost'" }]);
    const placed = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "x", name: "X", inheritedBy: ["admin"] } });
    expect(issuePaths(placed)).toEqual(["body.inheritedBy"]);
    const taken = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "manager", name: "Again" } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe("ALREADY_EXISTS");
    const stale = await t.app.inject({ method: "PATCH", url: `${base}/manager`, headers: { ...headers.owner, ...ifMatch(99) }, payload: { name: "M" } });
    expect(stale.statusCode).toBe(412);
    const missing = await t.app.inject({ method: "PATCH", url: `${base}/nobody`, headers: { ...headers.owner, ...ifMatch(1) }, payload: { name: "M" } });
    expect(missing.statusCode).toBe(404);
  });

  it("refuses to delete a role that rules or other roles use, and deletes one nobody uses", async () => {
    const used = await t.app.inject({ method: "DELETE", url: `${base}/admin`, headers: { ...headers.owner, ...ifMatch(await versionOf("admin")) } });
    expect(used.statusCode).toBe(409);
    expect(used.json().error).toMatchObject({ code: "CONFLICT", message: "Role 'admin' is used by the rules of flag admin-console.", details: { flags: ["admin-console"], segments: [] } });
    const inherited = await t.app.inject({ method: "DELETE", url: `${base}/director`, headers: { ...headers.owner, ...ifMatch(await versionOf("director")) } });
    expect(inherited.statusCode).toBe(409);
    expect(inherited.json().error).toMatchObject({ details: { roles: ["admin"] } });

    const segment = await t.app.inject({
      method: "POST",
      url: `/v1/workspaces/${world.ws.slug}/segments`,
      headers: headers.owner,
      payload: { key: "leaders", name: "Leaders", rules: [{ conditions: [{ attribute: "role", operator: "role_at_least", values: ["auditor"] }] }] },
    });
    expect(segment.statusCode).toBe(201);
    await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "auditor", name: "Auditor", inherits: ["employee"] } });
    const bySegment = await t.app.inject({ method: "DELETE", url: `${base}/auditor`, headers: { ...headers.owner, ...ifMatch(1) } });
    expect(bySegment.json().error).toMatchObject({ code: "CONFLICT", details: { flags: [], segments: ["leaders"] } });
    await t.app.inject({ method: "DELETE", url: `/v1/workspaces/${world.ws.slug}/segments/leaders`, headers: { ...headers.owner, ...ifMatch(1) } });

    const deleted = await t.app.inject({ method: "DELETE", url: `${base}/auditor`, headers: { ...headers.owner, ...ifMatch(1) } });
    expect(deleted.statusCode).toBe(204);
    const entry = (await auditOf(t.db, world.ws.id, "role.deleted")).at(-1);
    expect(entry).toMatchObject({ targetKey: "auditor", before: { key: "auditor", inherits: ["employee"] } });
    expect((await list()).map((role) => role.key)).not.toContain("auditor");
  });

  describe("tenants' own roles", () => {
    let tenantBase: string;
    beforeAll(async () => {
      tenantBase = `/v1/workspaces/${world.ws.slug}/tenants/${world.tenant.key}/roles`;
      await gate("lead-planner", "team_lead");
    });

    it("places a tenant role between two workspace levels for that tenant only", async () => {
      const created = await t.app.inject({ method: "POST", url: tenantBase, headers: headers.owner, payload: { key: "team_lead", name: "Team lead", inherits: ["employee"], inheritedBy: ["manager"] } });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ key: "team_lead", tenantKey: world.tenant.key, level: 1, inherits: ["employee"], inheritedBy: ["manager"] });
      const roles = await list(tenantBase);
      expect(roles.map((role) => `${role.key}:${role.level}`)).toEqual(["employee:0", "team_lead:1", "manager:2", "director:3", "admin:4"]);
      expect((await list()).map((role) => role.key)).not.toContain("team_lead");
      const entry = (await auditOf(t.db, world.ws.id, "role.created")).at(-1);
      expect(entry).toMatchObject({ targetKey: "team_lead", tenantKey: world.tenant.key });

      const tenant = world.tenant.key;
      expect(await unlocked({ targetingKey: "lee", tenantKey: tenant, role: "team_lead" })).toEqual(["employee-dashboard", "lead-planner"]);
      expect(await unlocked({ targetingKey: "max", tenantKey: tenant, role: "manager" })).toEqual(["employee-dashboard", "lead-planner", "manager-reports"]);
      expect(await unlocked({ targetingKey: "emma", tenantKey: tenant, role: "employee" })).toEqual(["employee-dashboard"]);
      // Without the tenant the role is unknown, so only itself; and a manager elsewhere is not a team lead.
      expect(await unlocked({ targetingKey: "lee", role: "team_lead" })).toEqual(["lead-planner"]);
      expect(await unlocked({ targetingKey: "max", role: "manager" })).toEqual(["employee-dashboard", "manager-reports"]);
    });

    it("refuses a tenant key the workspace uses, a cycle through the workspace's roles, and a workspace role taking a tenant's key", async () => {
      const clash = await t.app.inject({ method: "POST", url: tenantBase, headers: headers.owner, payload: { key: "manager", name: "Manager" } });
      expect(clash.statusCode).toBe(409);
      expect(clash.json().error.message).toContain("the workspace");
      const cycle = await t.app.inject({ method: "POST", url: tenantBase, headers: headers.owner, payload: { key: "loop", name: "Loop", inherits: ["admin"], inheritedBy: ["employee"] } });
      expect(cycle.statusCode).toBe(409);
      expect(cycle.json().error.code).toBe("ROLE_CYCLE");
      const taken = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "team_lead", name: "Team lead" } });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().error.message).toContain(`tenant '${world.tenant.key}'`);
      const unknownTenant = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/tenants/nobody/roles`, headers: headers.viewer });
      expect(unknownTenant.statusCode).toBe(404);
    });

    it("lets the tenant's admin manage its own roles, never the workspace's or another tenant's", async () => {
      const mine = await list("/v1/tenant/roles", headers.tenant_admin);
      expect(mine.filter((role) => role.tenantKey !== null).map((role) => role.key)).toEqual(["team_lead"]);
      const created = await t.app.inject({ method: "POST", url: "/v1/tenant/roles", headers: headers.tenant_admin, payload: { key: "night_shift", name: "Night shift", inherits: ["employee"] } });
      expect(created.statusCode).toBe(201);
      const entry = (await auditOf(t.db, world.ws.id, "role.created")).at(-1);
      expect(entry).toMatchObject({ actorRole: "tenant_admin", targetKey: "night_shift", tenantKey: world.tenant.key });
      const renamed = await t.app.inject({ method: "PATCH", url: "/v1/tenant/roles/night_shift", headers: { ...headers.tenant_admin, ...ifMatch(1) }, payload: { name: "Nights" } });
      expect(renamed.json()).toMatchObject({ name: "Nights", version: 2 });
      // The workspace's roles are not the tenant's to change.
      const workspaceRole = await t.app.inject({ method: "PATCH", url: "/v1/tenant/roles/manager", headers: { ...headers.tenant_admin, ...ifMatch(1) }, payload: { name: "Boss" } });
      expect(workspaceRole.statusCode).toBe(404);
      for (const who of [headers.owner, headers.viewer]) {
        const res = await t.app.inject({ method: "GET", url: "/v1/tenant/roles", headers: who });
        expect(res.statusCode).toBe(403);
      }
      const deleted = await t.app.inject({ method: "DELETE", url: "/v1/tenant/roles/night_shift", headers: { ...headers.tenant_admin, ...ifMatch(2) } });
      expect(deleted.statusCode).toBe(204);
    });

    it("audits a tenant's roles as deleted with the tenant", async () => {
      const tenants = `/v1/workspaces/${world.ws.slug}/tenants`;
      expect((await t.app.inject({ method: "POST", url: tenants, headers: headers.owner, payload: { key: "short-lived", name: "Short-lived" } })).statusCode).toBe(201);
      const role = await t.app.inject({ method: "POST", url: `${tenants}/short-lived/roles`, headers: headers.owner, payload: { key: "temp", name: "Temp", inherits: ["employee"] } });
      expect(role.statusCode).toBe(201);
      const gone = await t.app.inject({ method: "DELETE", url: `${tenants}/short-lived`, headers: { ...headers.owner, ...ifMatch(1) } });
      expect(gone.statusCode).toBe(204);
      const entry = (await auditOf(t.db, world.ws.id, "role.deleted")).at(-1);
      expect(entry).toMatchObject({ targetKey: "temp", tenantKey: "short-lived", before: { key: "temp", removedWith: "tenant.deleted" } });
      expect(await t.db.prisma.endUserRole.count({ where: { workspaceId: world.ws.id, key: "temp" } })).toBe(0);
    });

    it("refuses to delete a tenant role that rules name, then deletes it once they do not", async () => {
      const used = await t.app.inject({ method: "DELETE", url: `${tenantBase}/team_lead`, headers: { ...headers.owner, ...ifMatch(1) } });
      expect(used.statusCode).toBe(409);
      expect(used.json().error.details).toEqual({ flags: ["lead-planner"], segments: [] });
      const state = await t.app.inject({ method: "GET", url: `/v1/workspaces/${world.ws.slug}/flags/lead-planner/environments/production`, headers: headers.owner });
      const { rules, version } = state.json() as { rules: { id: string }[]; version: number };
      const removed = await t.app.inject({ method: "DELETE", url: `/v1/workspaces/${world.ws.slug}/flags/lead-planner/environments/production/rules/${rules[0]!.id}`, headers: { ...headers.owner, ...ifMatch(version) } });
      expect(removed.statusCode).toBe(200);
      const deleted = await t.app.inject({ method: "DELETE", url: `${tenantBase}/team_lead`, headers: { ...headers.owner, ...ifMatch(1) } });
      expect(deleted.statusCode).toBe(204);
      expect((await list(tenantBase)).map((r) => r.key)).toEqual(["employee", "manager", "director", "admin"]);
    });
  });
});
