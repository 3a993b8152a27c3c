import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createMember, createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { countRows, createFlag, createModule, createTenant, setOverride } from "../../../test/helpers/tenancy-fixtures";

describe("tenants", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  let admin: Record<string, string>;
  const url = () => `/v1/workspaces/${ws.slug}/tenants`;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    admin = await memberHeaders(t.app, t.db, ws.id, "admin");
    await createModule(t.db, ws, "FIN", "Finance");
    await createModule(t.db, ws, "STR", "Short-term rental");
  });
  afterAll(() => t.close());

  const snapshotVersions = async (workspaceId: string) =>
    (await t.db.prisma.environment.findMany({ where: { workspaceId }, orderBy: { key: "asc" } })).map((env) => env.snapshotVersion);

  it("creates a tenant with attributes and module switches, bumps every environment, tells the replicas and audits it", async () => {
    const before = await snapshotVersions(ws.id);
    const heard: string[] = [];
    const stop = t.app.services.notifier.onLocalChange((changes) => heard.push(...changes.map((c) => `${c.environmentKey}@${c.version}`)));
    const res = await t.app.inject({
      method: "POST",
      url: url(),
      headers: { ...admin, "user-agent": "tenants-test" },
      payload: { key: "arizona-comedy", name: "Arizona Comedy", attributes: { plan: "pro", venues: 3 }, modules: { STR: false } },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({
      key: "arizona-comedy",
      name: "Arizona Comedy",
      attributes: { plan: "pro", venues: 3 },
      modules: [
        { key: "FIN", name: "Finance", enabled: true },
        { key: "STR", name: "Short-term rental", enabled: false },
      ],
      version: 1,
    });
    expect(await snapshotVersions(ws.id)).toEqual(before.map((v) => v + 1));
    stop();
    // snapshotVersions lists the environments by key: development, production, staging.
    expect(heard.sort()).toEqual(["development", "production", "staging"].map((key, i) => `${key}@${before[i]! + 1}`));
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "tenant.created" } });
    expect(entry).toMatchObject({
      actorType: "user",
      actorRole: "admin",
      ip: "127.0.0.1",
      userAgent: "tenants-test",
      tenantKey: "arizona-comedy",
      targetKey: "arizona-comedy",
      after: { key: "arizona-comedy", attributes: { plan: "pro", venues: 3 }, disabledModules: ["STR"] },
    });
    expect(entry!.before).toBeNull();

    const duplicate = await t.app.inject({ method: "POST", url: url(), headers: admin, payload: { key: "arizona-comedy", name: "Again" } });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({ code: "ALREADY_EXISTS", message: "Tenant 'arizona-comedy' already exists." });
  });

  it("names every bad field of a bad tenant and writes nothing", async () => {
    const rows = await countRows(t.db, ws.id);
    const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };
    const res = await t.app.inject({
      method: "POST",
      url: url(),
      headers: admin,
      payload: { key: "bad key!", name: "", attributes: { "has.dot": 1 }, extra: true },
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["body.key", "body.name", "body.attributes.has.dot", "body"]));

    const tooDeep = await t.app.inject({ method: "POST", url: url(), headers: admin, payload: { key: "deep", name: "Deep", attributes: { deep } } });
    expect(tooDeep.json().error.details.issues).toEqual([{ path: "body.attributes.deep", message: "nests deeper than 5 levels" }]);

    const big = await t.app.inject({ method: "POST", url: url(), headers: admin, payload: { key: "big", name: "Big", attributes: { blob: "x".repeat(20_000) } } });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.details.issues[0].path).toBe("body.attributes");

    const unknownModule = await t.app.inject({ method: "POST", url: url(), headers: admin, payload: { key: "valid", name: "Valid", modules: { NOPE: false } } });
    expect(unknownModule.statusCode).toBe(400);
    expect(unknownModule.json().error.details.issues).toEqual([{ path: "body.modules.NOPE", message: "no module 'NOPE' in this workspace" }]);
    expect(await countRows(t.db, ws.id)).toEqual(rows);
  });

  it("updates with If-Match, refuses stale versions with 412 and audits only what changed", async () => {
    const tenant = await createTenant(t.db, ws, "noord", { plan: "standard" });
    const target = `${url()}/noord`;
    expect((await t.app.inject({ method: "PATCH", url: target, headers: admin, payload: { name: "Noord" } })).statusCode).toBe(428);
    const ok = await t.app.inject({ method: "PATCH", url: target, headers: { ...admin, "if-match": '"1"' }, payload: { attributes: { plan: "premium" } } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ attributes: { plan: "premium" }, name: tenant.name, version: 2 });
    expect(ok.headers.etag).toBe('"2"');
    const stale = await t.app.inject({ method: "PATCH", url: target, headers: { ...admin, "if-match": '"1"' }, payload: { name: "Lost" } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error).toMatchObject({ code: "VERSION_MISMATCH", details: { currentVersion: 2 } });
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "tenant.updated", tenantKey: "noord" } });
    expect(entry).toMatchObject({ before: { attributes: { plan: "standard" } }, after: { attributes: { plan: "premium" } } });

    const cleared = await t.app.inject({ method: "PATCH", url: target, headers: { ...admin, "if-match": '"2"' }, payload: { attributes: null } });
    expect(cleared.json()).toMatchObject({ attributes: {}, version: 3 });
  });

  it("switches modules per tenant, audited, and the tenant's flags of that module turn off", async () => {
    const fin = await t.db.prisma.module.findFirstOrThrow({ where: { workspaceId: ws.id, key: "FIN" } });
    const flag = await createFlag(t.db, ws, { key: "fin_excel_export", moduleId: fin.id, fallthrough: "on" });
    await createTenant(t.db, ws, "zeeland");
    const detail = async () => (await t.app.inject({ method: "GET", url: `${url()}/zeeland?env=production`, headers: admin })).json();
    expect((await detail()).flagValues.find((f: { key: string }) => f.key === flag.key)).toMatchObject({ value: true, isOn: true, detail: "FALLTHROUGH" });

    const before = await snapshotVersions(ws.id);
    const off = await t.app.inject({ method: "PUT", url: `${url()}/zeeland/modules/FIN`, headers: admin, payload: { enabled: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json().modules).toContainEqual({ key: "FIN", name: "Finance", enabled: false });
    expect(off.json().version).toBe(2);
    expect(await snapshotVersions(ws.id)).toEqual(before.map((v) => v + 1));
    expect((await detail()).flagValues.find((f: { key: string }) => f.key === flag.key)).toMatchObject({
      value: false,
      reason: "DISABLED",
      detail: "MODULE_DISABLED",
      isOn: false,
    });
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "tenant_module.disabled" } });
    expect(entry).toMatchObject({ tenantKey: "zeeland", targetType: "tenant_module", targetKey: "FIN", before: { enabled: true }, after: { enabled: false } });

    const stale = await t.app.inject({ method: "PUT", url: `${url()}/zeeland/modules/FIN`, headers: { ...admin, "if-match": '"1"' }, payload: { enabled: true } });
    expect(stale.statusCode).toBe(412);
    const unknown = await t.app.inject({ method: "PUT", url: `${url()}/zeeland/modules/NOPE`, headers: admin, payload: { enabled: true } });
    expect(unknown.statusCode).toBe(404);
    const bad = await t.app.inject({ method: "PUT", url: `${url()}/zeeland/modules/FIN`, headers: admin, payload: { enabled: "yes" } });
    expect(bad.json().error.details.issues[0].path).toBe("body.enabled");
  });

  it("shows a tenant's overrides and every flag's reason on its page", async () => {
    const tenant = await createTenant(t.db, ws, "goodwin");
    const kb = await createFlag(t.db, ws, { key: "knowledge_base" });
    await setOverride(t.db, ws, kb.id, tenant.id, "on", { locked: true });
    const res = await t.app.inject({ method: "GET", url: `${url()}/goodwin`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    const body = res.json();
    expect(body.environment).toBe("production");
    expect(body.flagValues.find((f: { key: string }) => f.key === "knowledge_base")).toMatchObject({
      value: true,
      reason: "TARGETING_MATCH",
      detail: "TENANT_OVERRIDE_LOCKED",
      isOn: true,
      type: "boolean",
      variants: ["on", "off"],
      onVariant: "on",
      offVariant: "off",
      override: { variant: "on", locked: true, source: "workspace_admin", expiresAt: null, isExpired: false, version: 1 },
    });
    const beta = await createFlag(t.db, ws, { key: "beta_reports" });
    await setOverride(t.db, ws, beta.id, tenant.id, "on", { expiresAt: new Date(Date.now() - 60_000) });
    const withExpired = (await t.app.inject({ method: "GET", url: `${url()}/goodwin`, headers: admin })).json();
    expect(withExpired.flagValues.find((f: { key: string }) => f.key === "beta_reports")).toMatchObject({ isOn: false, detail: "FALLTHROUGH", override: { variant: "on", isExpired: true } });
    const staging = await t.app.inject({ method: "GET", url: `${url()}/goodwin?env=staging`, headers: admin });
    expect(staging.json().flagValues.find((f: { key: string }) => f.key === "knowledge_base")).toMatchObject({ value: false, override: null });
    const unknownEnv = await t.app.inject({ method: "GET", url: `${url()}/goodwin?env=nope`, headers: admin });
    expect(unknownEnv.statusCode).toBe(400);
    expect(unknownEnv.json().error.details.issues[0].path).toBe("querystring.env");
  });

  it("deletes with If-Match, audited, and bumps every environment", async () => {
    await createTenant(t.db, ws, "short-lived");
    const target = `${url()}/short-lived`;
    expect((await t.app.inject({ method: "DELETE", url: target, headers: admin })).statusCode).toBe(428);
    expect((await t.app.inject({ method: "DELETE", url: target, headers: { ...admin, "if-match": '"7"' } })).statusCode).toBe(412);
    const before = await snapshotVersions(ws.id);
    const res = await t.app.inject({ method: "DELETE", url: target, headers: { ...admin, "if-match": '"1"' } });
    expect(res.statusCode).toBe(204);
    expect(await t.db.prisma.tenant.findFirst({ where: { workspaceId: ws.id, key: "short-lived" } })).toBeNull();
    expect(await snapshotVersions(ws.id)).toEqual(before.map((v) => v + 1));
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "tenant.deleted" } });
    expect(entry).toMatchObject({ tenantKey: "short-lived", before: { key: "short-lived" } });
    expect((await t.app.inject({ method: "GET", url: target, headers: admin })).statusCode).toBe(404);
  });

  it("takes a deleted tenant's key out of allow and deny lists and segments", async () => {
    await createTenant(t.db, ws, "leaving");
    const flag = await createFlag(t.db, ws, { key: "listed_flag" });
    const [dev, prod] = ws.environments;
    await t.db.prisma.flagState.updateMany({ where: { flagId: flag.id, environmentId: dev!.id }, data: { tenantAllow: ["leaving", "staying"] } });
    await t.db.prisma.flagState.updateMany({ where: { flagId: flag.id, environmentId: prod!.id }, data: { tenantDeny: ["leaving"] } });
    await t.db.prisma.segment.create({
      data: { workspaceId: ws.id, key: "vips", name: "VIPs", includedTenants: ["leaving", "staying"], excludedTenants: ["leaving"] },
    });
    const res = await t.app.inject({ method: "DELETE", url: `${url()}/leaving`, headers: { ...admin, "if-match": '"1"' } });
    expect(res.statusCode).toBe(204);
    const states = await t.db.prisma.flagState.findMany({ where: { flagId: flag.id }, orderBy: { environmentId: "asc" } });
    for (const state of states) {
      expect(state.tenantAllow).not.toContain("leaving");
      expect(state.tenantDeny).not.toContain("leaving");
    }
    expect(states.find((s) => s.environmentId === dev!.id)!.tenantAllow).toEqual(["staying"]);
    const segment = await t.db.prisma.segment.findFirstOrThrow({ where: { workspaceId: ws.id, key: "vips" } });
    expect(segment).toMatchObject({ includedTenants: ["staying"], excludedTenants: [], version: 2 });
    const entry = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { workspaceId: ws.id, action: "tenant.deleted", targetKey: "leaving" } });
    expect(entry.before).toMatchObject({ listedIn: { flagStates: 2, segments: 1 } });
  });

  it("audits each tenant-admin membership, open invitation and override the deletion removes, in the deletion's transaction", async () => {
    const tenant = await createTenant(t.db, ws, "departing");
    const flagA = await createFlag(t.db, ws, { key: "departing_a" });
    const flagB = await createFlag(t.db, ws, { key: "departing_b" });
    await setOverride(t.db, ws, flagA.id, tenant.id, "on", { locked: true });
    await setOverride(t.db, ws, flagB.id, tenant.id, "off", { env: "staging", source: "tenant_admin" });
    const first = await createMember(t.db, ws.id, "tenant_admin", tenant.id);
    const second = await createMember(t.db, ws.id, "tenant_admin", tenant.id);
    const invitation = await t.db.prisma.invitation.create({
      data: { workspaceId: ws.id, email: "invited-ta@example.test", role: "tenant_admin", tenantId: tenant.id, tokenHash: "a".repeat(64), expiresAt: new Date(Date.now() + 86_400_000) },
    });
    const audited = () => t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } });
    const countBefore = await audited();

    // A stale version refuses the whole deletion: no entry, nothing removed.
    const stale = await t.app.inject({ method: "DELETE", url: `${url()}/departing`, headers: { ...admin, "if-match": '"9"' } });
    expect(stale.statusCode).toBe(412);
    expect(await audited()).toBe(countBefore);
    expect(await t.db.prisma.membership.count({ where: { workspaceId: ws.id, tenantId: tenant.id } })).toBe(2);

    const res = await t.app.inject({ method: "DELETE", url: `${url()}/departing`, headers: { ...admin, "if-match": '"1"' } });
    expect(res.statusCode).toBe(204);
    expect(await t.db.prisma.membership.count({ where: { workspaceId: ws.id, tenantId: tenant.id } })).toBe(0);
    expect(await t.db.prisma.tenantOverride.count({ where: { workspaceId: ws.id, tenantId: tenant.id } })).toBe(0);

    const entries = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, tenantKey: "departing" }, orderBy: { id: "asc" } });
    expect(entries).toHaveLength(6);
    expect(await t.db.prisma.invitation.count({ where: { id: invitation.id } })).toBe(0);
    expect(entries.find((e) => e.action === "invitation.revoked")).toMatchObject({
      targetId: invitation.id,
      targetKey: "invited-ta@example.test",
      before: { role: "tenant_admin", tenantKey: "departing", removedWith: "tenant.deleted" },
    });
    // One request, one transaction: every entry carries the deletion's request id.
    expect(new Set(entries.map((e) => e.requestId)).size).toBe(1);
    const deleted = entries.find((e) => e.action === "tenant.deleted")!;
    expect(deleted.before).toMatchObject({ key: "departing", removed: { memberships: 2, overrides: 2 } });
    const removedMembers = entries.filter((e) => e.action === "member.removed");
    expect(removedMembers.map((e) => e.targetKey).sort()).toEqual([first.email, second.email].sort());
    for (const entry of removedMembers) {
      expect(entry).toMatchObject({ targetType: "member", tenantId: tenant.id, before: { role: "tenant_admin", tenantKey: "departing", removedWith: "tenant.deleted" }, after: null });
    }
    const cleared = entries.filter((e) => e.action === "tenant_override.cleared").sort((a, b) => a.targetKey!.localeCompare(b.targetKey!));
    expect(cleared).toMatchObject([
      { targetType: "tenant_override", targetKey: "departing_a", environmentKey: "production", before: { variant: "on", locked: true, source: "workspace_admin", removedWith: "tenant.deleted" } },
      { targetType: "tenant_override", targetKey: "departing_b", environmentKey: "staging", before: { variant: "off", locked: false, source: "tenant_admin", removedWith: "tenant.deleted" } },
    ]);
  });

  it("never reaches another workspace's tenants through its own slug", async () => {
    await createTenant(t.db, other, "foreign", { plan: "pro" });
    const rows = await countRows(t.db, other.id);
    const base = `${url()}/foreign`;
    const attempts = [
      { method: "GET" as const, url: base },
      { method: "PATCH" as const, url: base, payload: { name: "Mine" }, headers: { "if-match": '"1"' } },
      { method: "DELETE" as const, url: base, headers: { "if-match": '"1"' } },
      { method: "PUT" as const, url: `${base}/modules/FIN`, payload: { enabled: false } },
    ];
    for (const attempt of attempts) {
      const res = await t.app.inject({ ...attempt, headers: { ...admin, ...attempt.headers } });
      expect({ url: attempt.url, method: attempt.method, status: res.statusCode }).toEqual({ url: attempt.url, method: attempt.method, status: 404 });
    }
    const list = await t.app.inject({ method: "GET", url: `${url()}?search=foreign`, headers: admin });
    expect(list.json().total).toBe(0);
    expect(await countRows(t.db, other.id)).toEqual(rows);
  });
});
