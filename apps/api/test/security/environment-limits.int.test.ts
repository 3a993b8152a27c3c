import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app";
import { createWorkspace, memberHeaders } from "../helpers/fixtures";
import { countRows, createFlag, createTenant } from "../helpers/tenancy-fixtures";

/**
 * An environment's total size is capped, whatever each request may hold: every replica keeps it
 * in memory and server SDKs download it whole. Past a limit, a write is refused with 413
 * `LIMIT_EXCEEDED` naming the limit, and nothing of it is written.
 */
describe("environment size limits", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let editor: Record<string, string>;
  let admin: Record<string, string>;
  let flags: string;

  beforeAll(async () => {
    t = await createTestApp({
      config: {
        ENV_MAX_RULES: "3",
        ENV_MAX_TARGETING_BYTES: "4096",
        ENV_MAX_TENANT_OVERRIDES: "2",
        ENV_MAX_USER_OVERRIDES: "2",
        WORKSPACE_MAX_SEGMENT_BYTES: "2048",
      },
    });
    ws = await createWorkspace(t.db);
    editor = await memberHeaders(t.app, t.db, ws.id, "editor");
    admin = await memberHeaders(t.app, t.db, ws.id, "admin");
    flags = `/v1/workspaces/${ws.slug}/flags`;
    for (const key of ["alpha", "beta", "gamma"]) await createFlag(t.db, ws, { key });
    for (const key of ["t1", "t2", "t3", "t4"]) await createTenant(t.db, ws, key);
  });
  afterAll(() => t.close());

  async function expectRefused(res: { statusCode: number; json(): unknown }, variable: string) {
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: "LIMIT_EXCEEDED", message: expect.stringContaining(variable), details: { limit: variable } } });
  }

  async function addRule(flag: string, values: string[]) {
    const state = await t.app.inject({ method: "GET", url: `${flags}/${flag}/environments/staging`, headers: editor });
    return t.app.inject({
      method: "POST",
      url: `${flags}/${flag}/environments/staging/rules`,
      headers: { ...editor, "if-match": state.headers.etag as string },
      payload: { conditions: [{ attribute: "plan", operator: "in", values }], serve: { variant: "on" } },
    });
  }

  it("refuses the rule past ENV_MAX_RULES across the environment's flags, and writes nothing of it", async () => {
    expect((await addRule("alpha", ["a"])).statusCode).toBe(201);
    expect((await addRule("beta", ["b"])).statusCode).toBe(201);
    expect((await addRule("gamma", ["c"])).statusCode).toBe(201);
    const before = await countRows(t.db, ws.id);
    await expectRefused(await addRule("alpha", ["d"]), "ENV_MAX_RULES");
    expect(await countRows(t.db, ws.id)).toEqual(before);
    // Another environment has its own budget.
    const state = await t.app.inject({ method: "GET", url: `${flags}/alpha/environments/production`, headers: editor });
    const elsewhere = await t.app.inject({
      method: "POST",
      url: `${flags}/alpha/environments/production/rules`,
      headers: { ...editor, "if-match": state.headers.etag as string },
      payload: { conditions: [{ attribute: "plan", operator: "in", values: ["x"] }], serve: { variant: "on" } },
    });
    expect(elsewhere.statusCode).toBe(201);
  });

  it("refuses a rule edit that takes the environment past ENV_MAX_TARGETING_BYTES", async () => {
    const state = await t.app.inject({ method: "GET", url: `${flags}/beta/environments/staging`, headers: editor });
    const rule = (state.json() as { rules: { id: string }[] }).rules[0]!;
    const values = Array.from({ length: 200 }, (_, i) => `customer-with-a-long-identifier-${i}`);
    const res = await t.app.inject({
      method: "PATCH",
      url: `${flags}/beta/environments/staging/rules/${rule.id}`,
      headers: { ...editor, "if-match": state.headers.etag as string },
      payload: { conditions: [{ attribute: "plan", operator: "in", values }], serve: { variant: "on" } },
    });
    await expectRefused(res, "ENV_MAX_TARGETING_BYTES");
    const after = await t.app.inject({ method: "GET", url: `${flags}/beta/environments/staging`, headers: editor });
    expect(after.headers.etag).toBe(state.headers.etag);
  });

  it("refuses the tenant override past ENV_MAX_TENANT_OVERRIDES, one by one and in bulk", async () => {
    const set = (tenant: string) =>
      t.app.inject({ method: "PUT", url: `${flags}/alpha/environments/production/tenant-overrides/${tenant}`, headers: editor, payload: { variant: "on" } });
    expect((await set("t1")).statusCode).toBe(201);
    expect((await set("t2")).statusCode).toBe(201);
    await expectRefused(await set("t3"), "ENV_MAX_TENANT_OVERRIDES");
    // Changing an existing one is not growth.
    const existing = await t.app.inject({
      method: "PUT",
      url: `${flags}/alpha/environments/production/tenant-overrides/t1`,
      headers: { ...editor, "if-match": '"1"' },
      payload: { variant: "off" },
    });
    expect(existing.statusCode).toBe(200);

    const before = await countRows(t.db, ws.id);
    const bulk = await t.app.inject({
      method: "POST",
      url: `/v1/workspaces/${ws.slug}/environments/staging/tenant-overrides/bulk`,
      headers: admin,
      payload: { action: "set", flag: "gamma", tenants: ["t1", "t2", "t3"] },
    });
    await expectRefused(bulk, "ENV_MAX_TENANT_OVERRIDES");
    expect(await countRows(t.db, ws.id)).toEqual(before);
  });

  it("refuses the user override past ENV_MAX_USER_OVERRIDES", async () => {
    const set = (user: string) =>
      t.app.inject({ method: "PUT", url: `${flags}/alpha/environments/development/user-overrides/${user}`, headers: editor, payload: { variant: "on" } });
    expect((await set("u1")).statusCode).toBe(201);
    expect((await set("u2")).statusCode).toBe(201);
    await expectRefused(await set("u3"), "ENV_MAX_USER_OVERRIDES");
  });

  it("refuses a segment that takes the workspace past WORKSPACE_MAX_SEGMENT_BYTES", async () => {
    const segments = `/v1/workspaces/${ws.slug}/segments`;
    const small = await t.app.inject({ method: "POST", url: segments, headers: editor, payload: { key: "small", name: "Small", includedUsers: ["u-1"] } });
    expect(small.statusCode).toBe(201);
    const includedUsers = Array.from({ length: 200 }, (_, i) => `user-with-a-long-key-${i}`);
    const big = await t.app.inject({ method: "POST", url: segments, headers: editor, payload: { key: "big", name: "Big", includedUsers } });
    await expectRefused(big, "WORKSPACE_MAX_SEGMENT_BYTES");
    expect(await t.db.prisma.segment.count({ where: { workspaceId: ws.id } })).toBe(1);
  });
});
