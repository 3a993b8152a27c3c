import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { countRows, createFlag, createTenant, envId, setOverride } from "../../../test/helpers/tenancy-fixtures";

describe("tenant overrides", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  const h: Record<string, Record<string, string>> = {};
  const base = (flag = "knowledge_base", env = "production") => `/v1/workspaces/${ws.slug}/flags/${flag}/environments/${env}/tenant-overrides`;
  const tenantValue = async (tenant: string, flag = "knowledge_base") =>
    (await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/tenants/${tenant}`, headers: h.viewer })).json().flagValues.find((f: { key: string }) => f.key === flag);

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    for (const role of ["owner", "admin", "editor", "viewer"] as const) h[role] = await memberHeaders(t.app, t.db, ws.id, role);
    await createFlag(t.db, ws, { key: "knowledge_base" });
    await createFlag(t.db, ws, { key: "archived_flag", archived: true });
    for (const key of ["arizona", "brooklyn", "chicago"]) await createTenant(t.db, ws, key);
    const foreignFlag = await createFlag(t.db, other, { key: "knowledge_base" });
    const foreign = await createTenant(t.db, other, "foreign");
    await setOverride(t.db, other, foreignFlag.id, foreign.id, "on");
  });
  afterAll(() => t.close());

  it("sets an override (201, ETag), which the tenant's evaluation follows, bumping only that environment, audited", async () => {
    const versions = async () => Object.fromEntries((await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id } })).map((e) => [e.key, e.snapshotVersion]));
    const before = await versions();
    const heard: string[] = [];
    const stop = t.app.services.notifier.onLocalChange((changes) => heard.push(...changes.map((c) => `${c.environmentKey}@${c.version}`)));
    const res = await t.app.inject({
      method: "PUT",
      url: `${base()}/arizona`,
      headers: { ...h.editor, "user-agent": "override-test" },
      payload: { variant: "on" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ flag: "knowledge_base", environment: "production", tenant: { key: "arizona" }, variant: "on", source: "workspace_admin", locked: false, expiresAt: null, isExpired: false, version: 1 });
    expect(await versions()).toEqual({ ...before, production: before.production! + 1 });
    stop();
    expect(heard).toEqual([`production@${before.production! + 1}`]);
    expect(await tenantValue("arizona")).toMatchObject({ value: true, detail: "TENANT_OVERRIDE" });
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "tenant_override.set", tenantKey: "arizona" } });
    expect(entry).toMatchObject({
      actorRole: "editor",
      ip: "127.0.0.1",
      userAgent: "override-test",
      environmentKey: "production",
      environmentId: envId(ws),
      targetType: "tenant_override",
      targetKey: "knowledge_base",
      after: { variant: "on", locked: false, source: "workspace_admin", expiresAt: null },
    });
    expect(entry!.before).toBeNull();
  });

  it("needs If-Match to replace an override and answers 412 to the loser of a race", async () => {
    const url = `${base()}/brooklyn`;
    expect((await t.app.inject({ method: "PUT", url, headers: h.admin, payload: { variant: "on" } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: "PUT", url, headers: h.admin, payload: { variant: "off" } })).statusCode).toBe(428);
    // Two admins read version 1 and both write: exactly one wins.
    const [first, second] = await Promise.all([
      t.app.inject({ method: "PUT", url, headers: { ...h.admin, "if-match": '"1"' }, payload: { variant: "off" } }),
      t.app.inject({ method: "PUT", url, headers: { ...h.owner, "if-match": '"1"' }, payload: { variant: "off", expiresAt: "2999-01-01T00:00:00Z" } }),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 412]);
    const loser = first.statusCode === 412 ? first : second;
    expect(loser.json().error).toMatchObject({ code: "VERSION_MISMATCH", details: { currentVersion: 2 } });
    const row = await t.db.prisma.tenantOverride.findFirstOrThrow({ where: { workspaceId: ws.id, tenant: { key: "brooklyn" } } });
    expect(row.version).toBe(2);
    expect(await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, tenantKey: "brooklyn", action: "tenant_override.set" } })).toBe(2);
  });

  it("refuses variants the flag lacks and expiries in the past, naming the fields, writing nothing", async () => {
    const rows = await countRows(t.db, ws.id);
    const badVariant = await t.app.inject({ method: "PUT", url: `${base()}/chicago`, headers: h.admin, payload: { variant: "maybe" } });
    expect(badVariant.statusCode).toBe(400);
    expect(badVariant.json().error.details.issues).toEqual([{ path: "body.variant", message: "must be one of the flag's variants: on, off" }]);
    const past = await t.app.inject({ method: "PUT", url: `${base()}/chicago`, headers: h.admin, payload: { variant: "on", expiresAt: "2001-01-01T00:00:00Z" } });
    expect(past.json().error.details.issues).toEqual([{ path: "body.expiresAt", message: "must be in the future" }]);
    const shape = await t.app.inject({ method: "PUT", url: `${base()}/chicago`, headers: h.admin, payload: { variant: 3, locked: "yes", expiresAt: "tomorrow" } });
    expect(shape.json().error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(["body.expiresAt", "body.locked", "body.variant"]);
    const archived = await t.app.inject({ method: "PUT", url: `${base("archived_flag")}/chicago`, headers: h.admin, payload: { variant: "on" } });
    expect(archived.statusCode).toBe(409);
    expect(await countRows(t.db, ws.id)).toEqual(rows);
  });

  it("locks and unlocks with overrides:lock only; editors cannot change or clear a locked override", async () => {
    await t.app.inject({ method: "PUT", url: `${base()}/chicago`, headers: h.editor, payload: { variant: "on" } });
    const editorLock = await t.app.inject({ method: "POST", url: `${base()}/chicago/lock`, headers: h.editor });
    expect(editorLock.statusCode).toBe(403);
    const editorSetLocked = await t.app.inject({ method: "PUT", url: `${base()}/chicago`, headers: { ...h.editor, "if-match": '"1"' }, payload: { variant: "on", locked: true } });
    expect(editorSetLocked.statusCode).toBe(403);

    const lock = await t.app.inject({ method: "POST", url: `${base()}/chicago/lock`, headers: h.admin });
    expect(lock.statusCode).toBe(200);
    expect(lock.json()).toMatchObject({ locked: true, version: 2 });
    expect(await tenantValue("chicago")).toMatchObject({ detail: "TENANT_OVERRIDE_LOCKED" });

    const rows = await countRows(t.db, ws.id);
    expect((await t.app.inject({ method: "PUT", url: `${base()}/chicago`, headers: { ...h.editor, "if-match": '"2"' }, payload: { variant: "off" } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: "DELETE", url: `${base()}/chicago`, headers: h.editor })).statusCode).toBe(403);
    expect(await countRows(t.db, ws.id)).toEqual(rows);

    const stale = await t.app.inject({ method: "POST", url: `${base()}/chicago/unlock`, headers: { ...h.admin, "if-match": '"1"' } });
    expect(stale.statusCode).toBe(412);
    const unlock = await t.app.inject({ method: "POST", url: `${base()}/chicago/unlock`, headers: { ...h.owner, "if-match": '"2"' } });
    expect(unlock.json()).toMatchObject({ locked: false, version: 3 });
    const actions = (await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, tenantKey: "chicago" }, orderBy: { id: "asc" } })).map((e) => [e.action, e.actorRole]);
    expect(actions).toEqual([
      ["tenant_override.set", "editor"],
      ["tenant_override.locked", "admin"],
      ["tenant_override.unlocked", "owner"],
    ]);
    const missing = await t.app.inject({ method: "POST", url: `${base()}/chicago/lock`.replace("production", "staging"), headers: h.admin });
    expect(missing.statusCode).toBe(404);
  });

  it("clears an override, audited with what it was, and the tenant follows the flag again", async () => {
    const res = await t.app.inject({ method: "DELETE", url: `${base()}/arizona`, headers: h.editor });
    expect(res.statusCode).toBe(204);
    expect(await tenantValue("arizona")).toMatchObject({ value: false, detail: "FALLTHROUGH", override: null });
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, tenantKey: "arizona", action: "tenant_override.cleared" } });
    expect(entry).toMatchObject({ before: { variant: "on" }, environmentKey: "production" });
    expect(entry!.after).toBeNull();
    expect((await t.app.inject({ method: "DELETE", url: `${base()}/arizona`, headers: h.editor })).statusCode).toBe(404);
  });

  it("lists a flag's overrides with search, filters and pages", async () => {
    const all = await t.app.inject({ method: "GET", url: base(), headers: h.viewer });
    expect(all.json()).toMatchObject({ total: 2, page: 1, pageSize: 50 });
    expect(all.json().items.map((i: { tenant: { key: string } }) => i.tenant.key)).toEqual(["brooklyn", "chicago"]);
    const searched = await t.app.inject({ method: "GET", url: `${base()}?search=CHIC`, headers: h.viewer });
    expect(searched.json().items.map((i: { tenant: { key: string } }) => i.tenant.key)).toEqual(["chicago"]);
    const byVariant = await t.app.inject({ method: "GET", url: `${base()}?variant=off&pageSize=1`, headers: h.viewer });
    expect(byVariant.json()).toMatchObject({ total: 1, items: [{ tenant: { key: "brooklyn" } }] });
    expect((await t.app.inject({ method: "GET", url: `${base()}?locked=maybe`, headers: h.viewer })).json().error.details.issues[0].path).toBe("querystring.locked");
  });

  it("never reaches another workspace's flags, tenants or overrides", async () => {
    const rows = await countRows(t.db, other.id);
    const foreignTenant = `${base()}/foreign`;
    const foreignFlagUrl = `/v1/workspaces/${other.slug}/flags/knowledge_base/environments/production/tenant-overrides`;
    const attempts = [
      { method: "GET" as const, url: foreignTenant },
      { method: "PUT" as const, url: foreignTenant, payload: { variant: "off" } },
      { method: "POST" as const, url: `${foreignTenant}/lock` },
      { method: "DELETE" as const, url: foreignTenant },
      { method: "GET" as const, url: foreignFlagUrl },
      { method: "PUT" as const, url: `${foreignFlagUrl}/foreign`, payload: { variant: "off" } },
      { method: "DELETE" as const, url: `${foreignFlagUrl}/foreign` },
      { method: "POST" as const, url: `/v1/workspaces/${other.slug}/environments/production/tenant-overrides/bulk`, payload: { action: "clear", flag: "knowledge_base", tenants: ["foreign"] } },
    ];
    for (const attempt of attempts) {
      const res = await t.app.inject({ ...attempt, headers: h.owner });
      expect({ ...attempt, status: res.statusCode }).toEqual({ ...attempt, status: 404 });
    }
    const bulk = await t.app.inject({
      method: "POST",
      url: `/v1/workspaces/${ws.slug}/environments/production/tenant-overrides/bulk`,
      headers: h.owner,
      payload: { action: "clear", flag: "knowledge_base", tenants: ["foreign"] },
    });
    expect(bulk.statusCode).toBe(400);
    expect(await countRows(t.db, other.id)).toEqual(rows);
  });
});
