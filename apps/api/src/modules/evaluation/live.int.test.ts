import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag, createTenant } from "../../../test/helpers/evaluation-fixtures";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";

describe("admin live evaluation, blast radius and flag statistics", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let prodId: string;
  let viewer: Record<string, string>;
  let outsider: Record<string, string>;
  let client: string;

  beforeAll(async () => {
    t = await createTestApp({ config: { STATS_FLUSH_INTERVAL: "1h" } });
    ws = await createWorkspace(t.db);
    const other = await createWorkspace(t.db);
    prodId = ws.environments[2]!.id;
    for (let i = 0; i < 10; i++) await createTenant(t.db, ws.id, `tenant-${i}`, { plan: i < 3 ? "pro" : "standard" });
    await createFlag(t.db, ws.id, {
      key: "ai_agents_enabled",
      states: {
        [prodId]: {
          enabled: true,
          fallthrough: { variant: "off" },
          rules: [{ name: "pro plans", conditions: [{ attribute: "tenant.plan", operator: "equals", values: ["pro"] }], serve: { variant: "on" } }],
        },
      },
    });
    await createFlag(t.db, ws.id, { key: "knowledge_base_enabled", states: { [prodId]: { enabled: false } } });
    viewer = await memberHeaders(t.app, t.db, ws.id, "viewer");
    outsider = await memberHeaders(t.app, t.db, other.id, "owner");
    client = (await createApiKey(t.db, ws.id, prodId, "client")).secret;
  });
  afterAll(() => t.close());

  const post = (path: string, payload: object, headers = viewer) =>
    t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/environments/production/${path}`, headers, payload });

  it("evaluates one flag with its full trace and latency", async () => {
    const res = await post("evaluate", { flag: "ai_agents_enabled", context: { targetingKey: "u1", tenantKey: "tenant-0" } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ environment: "production", results: [{ key: "ai_agents_enabled", value: true, reason: "TARGETING_MATCH", variant: "on" }] });
    expect(body.results[0].ruleId).toBeTruthy();
    expect(body.results[0].detail).toBe(`RULE:${body.results[0].ruleId}`);
    expect(body.results[0].trace.length).toBeGreaterThan(1);
    expect(body.latencyMicros).toBeGreaterThan(0);
    expect(body.results[0].latencyMicros).toBeGreaterThanOrEqual(0);
  });

  it("evaluates every flag when none is named", async () => {
    const res = await post("evaluate", { context: { targetingKey: "u1", tenantKey: "tenant-5" } });
    const keys = res.json().results.map((r: { key: string; value: boolean }) => [r.key, r.value]);
    expect(keys).toEqual([
      ["ai_agents_enabled", false],
      ["knowledge_base_enabled", false],
    ]);
  });

  it("computes the blast radius of a proposed change over every tenant, writing nothing", async () => {
    const everyone = await post("impact", { flag: "ai_agents_enabled", state: { rules: [] , fallthrough: { variant: "on" } } });
    expect(everyone.statusCode).toBe(200);
    expect(everyone.json()).toMatchObject({ flag: "ai_agents_enabled", total: 10, turnedOn: 7, turnedOff: 0, changed: 7, isTruncated: false });
    expect(everyone.json().changes.map((c: { tenantKey: string }) => c.tenantKey)).toEqual(["tenant-3", "tenant-4", "tenant-5", "tenant-6", "tenant-7", "tenant-8", "tenant-9"]);

    const off = await post("impact", { flag: "ai_agents_enabled", state: { enabled: false } });
    expect(off.json()).toMatchObject({ turnedOn: 0, turnedOff: 3, changed: 3 });
    expect(off.json().changes[0]).toMatchObject({ tenantKey: "tenant-0", before: { value: true }, after: { value: false, reason: "DISABLED" } });
    const state = await t.db.prisma.flagState.findFirstOrThrow({ where: { environmentId: prodId, flag: { key: "ai_agents_enabled" } } });
    expect(state.enabled).toBe(true);

    const ruleEdit = await post("impact", {
      flag: "ai_agents_enabled",
      state: { rules: [{ conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro", "standard"] }], serve: { variant: "on" } }] },
    });
    expect(ruleEdit.json()).toMatchObject({ turnedOn: 7, turnedOff: 0, total: 10 });
    expect(ruleEdit.json().changes[0].after.detail).toBe("RULE:proposed-1");

    expect((await post("impact", { flag: "no_such_flag", state: {} })).statusCode).toBe(404);
    expect((await post("impact", { flag: "ai_agents_enabled", state: { version: 3 } })).statusCode).toBe(400);
    expect((await post("impact", { flag: "ai_agents_enabled", state: { enabled: "yes" } })).statusCode).toBe(400);
  });

  it.each([
    ["an outsider", () => outsider, 404],
    ["an anonymous caller", () => ({}), 401],
  ])("refuses %s", async (_label, headers, status) => {
    expect((await post("evaluate", { context: {} }, headers())).statusCode).toBe(status);
    expect((await post("impact", { flag: "ai_agents_enabled", state: {} }, headers())).statusCode).toBe(status);
  });

  it("counts evaluations, variants, true rate, unique users and latency per day", async () => {
    const statsUrl = `/v1/workspaces/${ws.slug}/flags/ai_agents_enabled/stats?env=production&days=7`;
    const empty = await t.app.inject({ method: "GET", url: statsUrl, headers: viewer });
    expect(empty.statusCode).toBe(200);
    expect(empty.json().days).toHaveLength(7);
    expect(empty.json().total).toMatchObject({ evaluations: 0, uniqueUsers: 0, trueRate: null });

    // 200 evaluations by 40 distinct users: tenants 0-2 are pro (on), the rest off.
    const requests = [];
    for (let i = 0; i < 200; i++) {
      const context = { targetingKey: `user-${i % 40}`, tenantKey: `tenant-${i % 10}` };
      requests.push(t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/ai_agents_enabled", headers: apiKeyHeaders(client), payload: { context } }));
    }
    await Promise.all(requests);
    await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags", headers: apiKeyHeaders(client), payload: { context: { targetingKey: "bulk-user" } } });
    await t.app.services.statsFlusher.flush();

    const res = await t.app.inject({ method: "GET", url: statsUrl, headers: viewer });
    expect(res.json()).toHaveProperty("total");
    const { total, days } = res.json();
    expect(total).toMatchObject({ evaluations: 201, uniqueUsers: 41, errors: 0, variantCounts: { on: 60, off: 141 } });
    expect(total.trueRate).toBeCloseTo(60 / 201, 5);
    expect(total.latency.count).toBe(201);
    expect(total.latency.p99Micros).toBeGreaterThan(0);
    expect(days[6].evaluations).toBe(201);

    // A second flush adds to the same hourly row.
    await t.app.inject({ method: "POST", url: "/ofrep/v1/evaluate/flags/ai_agents_enabled", headers: apiKeyHeaders(client), payload: { context: { targetingKey: "user-1" } } });
    await t.app.services.statsFlusher.flush();
    const again = (await t.app.inject({ method: "GET", url: statsUrl, headers: viewer })).json();
    expect(again.total).toMatchObject({ evaluations: 202, uniqueUsers: 41 });
    expect(await t.db.prisma.flagStatBucket.count({ where: { environmentId: prodId, flagKey: "ai_agents_enabled" } })).toBe(1);

    expect((await t.app.inject({ method: "GET", url: statsUrl, headers: outsider })).statusCode).toBe(404);
    expect((await t.app.inject({ method: "GET", url: statsUrl.replace("production", "nope"), headers: viewer })).statusCode).toBe(404);
  });
});
