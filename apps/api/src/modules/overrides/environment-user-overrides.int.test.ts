import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { createFlag } from "../../../test/helpers/tenancy-fixtures";

describe("an environment's user overrides across flags", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let other: Awaited<ReturnType<typeof createWorkspace>>;
  const h: Record<string, Record<string, string>> = {};
  const put = (flag: string, user: string, payload: Record<string, unknown>, env = "staging") =>
    t.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/flags/${flag}/environments/${env}/user-overrides/${user}`, headers: h.editor, payload });
  const list = (query = "", env = "staging", headers = h.viewer!, slug = ws.slug) =>
    t.app.inject({ method: "GET", url: `/v1/workspaces/${slug}/environments/${env}/user-overrides${query ? `?${query}` : ""}`, headers });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    other = await createWorkspace(t.db);
    for (const role of ["editor", "viewer"] as const) h[role] = await memberHeaders(t.app, t.db, ws.id, role);
    h.outsider = await memberHeaders(t.app, t.db, other.id, "owner");
    await createFlag(t.db, ws, { key: "beta_search", name: "Beta search" });
    await createFlag(t.db, ws, { key: "new_billing", name: "New billing" });
    await createFlag(t.db, ws, { key: "old_thing", name: "Old thing" });
    await createFlag(t.db, other, { key: "beta_search" });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expect((await put("beta_search", "alice", { variant: "on", expiresAt: tomorrow })).statusCode).toBe(201);
    expect((await put("new_billing", "alice", { variant: "off" })).statusCode).toBe(201);
    expect((await put("new_billing", "bob", { variant: "on" })).statusCode).toBe(201);
    expect((await put("old_thing", "carol", { variant: "on" })).statusCode).toBe(201);
    expect((await put("beta_search", "dave", { variant: "on" }, "production")).statusCode).toBe(201);
    // An archived flag's overrides stay in the database but not in the list.
    await t.db.prisma.flag.updateMany({ where: { workspaceId: ws.id, key: "old_thing" }, data: { archivedAt: new Date() } });
    // An expired one, as the schedule runner has not removed it yet.
    const billing = await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "new_billing" } });
    await t.db.prisma.userOverride.updateMany({ where: { flagId: billing.id, userKey: "bob" }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    // Another workspace's override of a flag with the same key.
    const foreign = await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: other.id, key: "beta_search" } });
    await t.db.prisma.userOverride.create({ data: { workspaceId: other.id, flagId: foreign.id, environmentId: other.environments[1]!.id, userKey: "alice", variant: "on" } });
  });
  afterAll(() => t.close());

  it("lists every live flag's user overrides in the environment by user key, with flag names and expiry", async () => {
    const res = await list();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 3, page: 1 });
    expect(body.items.map((o: { userKey: string; flag: string }) => `${o.userKey}:${o.flag}`)).toEqual(["alice:beta_search", "alice:new_billing", "bob:new_billing"]);
    expect(body.items[0]).toMatchObject({ flagName: "Beta search", variant: "on", environment: "staging", isExpired: false });
    expect(body.items[0].expiresAt).not.toBeNull();
    expect(body.items[2]).toMatchObject({ isExpired: true });
    expect((await list("", "production")).json().items.map((o: { userKey: string }) => o.userKey)).toEqual(["dave"]);
  });

  it("searches by part of the user key, filters by flag and expiry, and paginates", async () => {
    expect((await list("q=LIC")).json()).toMatchObject({ total: 2 });
    expect((await list(`q=${encodeURIComponent("%")}`)).json()).toMatchObject({ total: 0 });
    expect((await list("flag=new_billing")).json()).toMatchObject({ total: 2 });
    expect((await list("expired=false")).json().items.map((o: { userKey: string }) => o.userKey)).toEqual(["alice", "alice"]);
    const second = (await list("pageSize=2&page=2")).json();
    expect(second).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(second.items.map((o: { userKey: string }) => o.userKey)).toEqual(["bob"]);
  });

  it("refuses bad queries with 400, unknown environments with 404, and other workspaces' members", async () => {
    for (const query of ["pageSize=1000", "expired=maybe", `q=${"x".repeat(300)}`, "sort=userKey"]) expect({ query, status: (await list(query)).statusCode }).toEqual({ query, status: 400 });
    expect((await list("", "nowhere")).statusCode).toBe(404);
    expect((await list("", "staging", h.outsider)).statusCode).toBe(404);
    expect((await list("", "staging", {})).statusCode).toBe(401);
  });
});
