import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { countRows, createFlag } from "../../../test/helpers/tenancy-fixtures";

describe("user overrides", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  const h: Record<string, Record<string, string>> = {};
  const base = (env = "staging") => `/v1/workspaces/${ws.slug}/flags/ai_assistant/environments/${env}/user-overrides`;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    for (const role of ["editor", "viewer"] as const) h[role] = await memberHeaders(t.app, t.db, ws.id, role);
    await createFlag(t.db, ws, { key: "ai_assistant" });
    await createFlag(t.db, other, { key: "secret_flag" });
  });
  afterAll(() => t.close());

  it("sets, replaces with If-Match, lists, reads and clears a user's override, each audited with its environment", async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await t.app.inject({ method: "PUT", url: `${base()}/user-42`, headers: h.editor, payload: { variant: "on", expiresAt } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ userKey: "user-42", variant: "on", expiresAt, isExpired: false, version: 1, environment: "staging" });

    expect((await t.app.inject({ method: "PUT", url: `${base()}/user-42`, headers: h.editor, payload: { variant: "off" } })).statusCode).toBe(428);
    const stale = await t.app.inject({ method: "PUT", url: `${base()}/user-42`, headers: { ...h.editor, "if-match": '"5"' }, payload: { variant: "off" } });
    expect(stale.statusCode).toBe(412);
    const replaced = await t.app.inject({ method: "PUT", url: `${base()}/user-42`, headers: { ...h.editor, "if-match": '"1"' }, payload: { variant: "off" } });
    expect(replaced.json()).toMatchObject({ variant: "off", expiresAt: null, version: 2 });

    await t.app.inject({ method: "PUT", url: `${base()}/user-7`, headers: h.editor, payload: { variant: "on" } });
    const list = await t.app.inject({ method: "GET", url: `${base()}?search=42`, headers: h.viewer });
    expect(list.json()).toMatchObject({ total: 1, items: [{ userKey: "user-42" }] });
    expect((await t.app.inject({ method: "GET", url: base(), headers: h.viewer })).json().total).toBe(2);
    expect((await t.app.inject({ method: "GET", url: base("production"), headers: h.viewer })).json().total).toBe(0);
    const one = await t.app.inject({ method: "GET", url: `${base()}/user-7`, headers: h.viewer });
    expect(one.headers.etag).toBe('"1"');

    expect((await t.app.inject({ method: "DELETE", url: `${base()}/user-7`, headers: { ...h.editor, "if-match": '"3"' } })).statusCode).toBe(412);
    expect((await t.app.inject({ method: "DELETE", url: `${base()}/user-7`, headers: h.editor })).statusCode).toBe(204);
    expect((await t.app.inject({ method: "GET", url: `${base()}/user-7`, headers: h.viewer })).statusCode).toBe(404);

    const audit = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, targetType: "user_override" }, orderBy: { id: "asc" } });
    expect(audit.map((e) => [e.action, e.environmentKey, (e.after as { userKey?: string } | null)?.userKey ?? (e.before as { userKey: string }).userKey])).toEqual([
      ["user_override.set", "staging", "user-42"],
      ["user_override.set", "staging", "user-42"],
      ["user_override.set", "staging", "user-7"],
      ["user_override.cleared", "staging", "user-7"],
    ]);
    expect(audit[1]).toMatchObject({ actorRole: "editor", before: { variant: "on", expiresAt }, after: { variant: "off", expiresAt: null } });
  });

  it("refuses bad input, viewers and other workspaces without writing", async () => {
    const rows = await countRows(t.db, ws.id);
    const bad = await t.app.inject({ method: "PUT", url: `${base()}/user-1`, headers: h.editor, payload: { variant: "nope", expiresAt: "2000-01-01T00:00:00Z" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.issues[0].path).toBe("body.variant");
    const past = await t.app.inject({ method: "PUT", url: `${base()}/user-1`, headers: h.editor, payload: { variant: "on", expiresAt: "2000-01-01T00:00:00Z" } });
    expect(past.json().error.details.issues[0].path).toBe("body.expiresAt");
    const badKey = await t.app.inject({ method: "PUT", url: `${base()}/${encodeURIComponent("bad key")}`, headers: h.editor, payload: { variant: "on" } });
    expect(badKey.json().error.details.issues[0].path).toBe("params.userKey");
    expect((await t.app.inject({ method: "PUT", url: `${base()}/user-1`, headers: h.viewer, payload: { variant: "on" } })).statusCode).toBe(403);
    const foreign = `/v1/workspaces/${other.slug}/flags/secret_flag/environments/staging/user-overrides/user-1`;
    expect((await t.app.inject({ method: "PUT", url: foreign, headers: h.editor, payload: { variant: "on" } })).statusCode).toBe(404);
    const foreignFlag = `/v1/workspaces/${ws.slug}/flags/secret_flag/environments/staging/user-overrides/user-1`;
    expect((await t.app.inject({ method: "PUT", url: foreignFlag, headers: h.editor, payload: { variant: "on" } })).statusCode).toBe(404);
    expect(await countRows(t.db, ws.id)).toEqual(rows);
    expect(await countRows(t.db, other.id)).toMatchObject({ userOverrides: 0, audit: 0 });
  });
});
