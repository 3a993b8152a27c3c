import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createUser, createWorkspace, login, memberHeaders } from "../../../test/helpers/fixtures";

describe("workspaces", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    for (const role of ["owner", "admin", "editor", "viewer"] as const) headers[role] = await memberHeaders(t.app, t.db, ws.id, role);
    headers.outsider = await memberHeaders(t.app, t.db, other.id, "owner");
    const superadmin = await createUser(t.db, { superadmin: true });
    headers.superadmin = (await login(t.app, superadmin.email)).headers;
  });
  afterAll(() => t.close());

  it("lets every member read the workspace with its environments and version", async () => {
    for (const role of ["owner", "admin", "editor", "viewer"]) {
      const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: headers[role] });
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe('"1"');
      expect(res.json().environments.map((e: { key: string }) => e.key)).toEqual(["development", "staging", "production"]);
    }
  });

  it("hides a workspace from callers of another workspace", async () => {
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}`, headers: headers.outsider });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("NOT_FOUND");
    const list = await t.app.inject({ method: "GET", url: "/v1/workspaces", headers: headers.outsider });
    expect(list.json().items.map((w: { slug: string }) => w.slug)).toEqual([other.slug]);
  });

  it("refuses writes to viewers and editors with 403, and to anonymous callers with 401", async () => {
    for (const role of ["viewer", "editor"]) {
      const res = await t.app.inject({
        method: "PATCH",
        url: `/v1/workspaces/${ws.slug}`,
        headers: { ...headers[role], "if-match": '"1"' },
        payload: { name: "Renamed" },
      });
      expect({ role, status: res.statusCode, code: res.json().error.code }).toEqual({ role, status: 403, code: "FORBIDDEN" });
    }
    const anonymous = await t.app.inject({ method: "PATCH", url: `/v1/workspaces/${ws.slug}`, payload: { name: "x" } });
    expect(anonymous.statusCode).toBe(401);
    expect((await t.db.prisma.workspace.findUnique({ where: { id: ws.id } }))!.name).toBe(ws.name);
  });

  it("needs If-Match, refuses a stale version with 412, and audits the rename", async () => {
    const url = `/v1/workspaces/${ws.slug}`;
    const missing = await t.app.inject({ method: "PATCH", url, headers: headers.admin, payload: { name: "Renamed" } });
    expect(missing.statusCode).toBe(428);

    const ok = await t.app.inject({
      method: "PATCH",
      url,
      headers: { ...headers.admin, "if-match": '"1"', "user-agent": "ensign-test" },
      payload: { name: "Renamed" },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: "Renamed", version: 2 });
    expect(ok.headers.etag).toBe('"2"');

    const stale = await t.app.inject({ method: "PATCH", url, headers: { ...headers.owner, "if-match": '"1"' }, payload: { name: "Lost" } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error).toMatchObject({ code: "VERSION_MISMATCH", details: { currentVersion: 2 } });

    const audit = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "workspace.updated" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorType: "user",
      actorRole: "admin",
      userAgent: "ensign-test",
      ip: "127.0.0.1",
      targetKey: ws.slug,
      before: { name: ws.name },
      after: { name: "Renamed" },
    });
  });

  it("lets only superadmins create workspaces, with three environments and the creator as owner", async () => {
    const body = { slug: "new-space", name: "New Space" };
    const refused = await t.app.inject({ method: "POST", url: "/v1/workspaces", headers: headers.owner, payload: body });
    expect(refused.statusCode).toBe(403);
    const created = await t.app.inject({ method: "POST", url: "/v1/workspaces", headers: headers.superadmin, payload: body });
    expect(created.statusCode).toBe(201);
    expect(created.json().environments).toHaveLength(3);
    // The default environment named production is marked live: toggles there ask for confirmation.
    expect(created.json().environments.filter((e: { isProduction: boolean }) => e.isProduction).map((e: { key: string }) => e.key)).toEqual(["production"]);
    const duplicate = await t.app.inject({ method: "POST", url: "/v1/workspaces", headers: headers.superadmin, payload: body });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().error).toMatchObject({ code: "ALREADY_EXISTS", message: "A workspace with this slug already exists." });
  });

  it("names every bad field of a bad body", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/workspaces", headers: headers.superadmin, payload: { slug: "Bad Slug!", name: 42 } });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["body.slug", "body.name"]));
  });
});
