import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { flagsClient, type FlagsClient } from "../../../test/helpers/flags";

const rule = { conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } };

describe("flag routes refuse other workspaces' data and hostile input", () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof createWorkspace>>;
  let b: Awaited<ReturnType<typeof createWorkspace>>;
  let ownerA: FlagsClient;
  let ownerB: FlagsClient;
  let bRuleId: string;
  let bScheduleId: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createWorkspace(t.db);
    b = await createWorkspace(t.db);
    ownerA = flagsClient(t.app, a.slug, await memberHeaders(t.app, t.db, a.id, "owner"));
    ownerB = flagsClient(t.app, b.slug, await memberHeaders(t.app, t.db, b.id, "owner"));
    await t.db.prisma.environment.create({ data: { workspaceId: b.id, key: "qa", name: "QA", contextSecret: "x".repeat(43) } });
    expect((await ownerA.create({ key: "shared-name", name: "A's flag" })).statusCode).toBe(201);
    expect((await ownerB.create({ key: "shared-name", name: "B's flag" })).statusCode).toBe(201);
    expect((await ownerB.create({ key: "b-only", name: "B only" })).statusCode).toBe(201);
    bRuleId = (await ownerB.addRule("shared-name", "production", 1, rule)).json().rules[0].id;
    bScheduleId = (await ownerB.call("POST", "/shared-name/environments/production/schedules", { payload: { runAt: new Date(Date.now() + 3_600_000).toISOString(), action: { type: "enable" } } })).json().id;
  });
  afterAll(() => t.close());

  const snapshotOfB = async () => ({
    flags: await t.db.prisma.flag.findMany({ where: { workspaceId: b.id }, orderBy: { key: "asc" }, select: { key: true, version: true, name: true, archivedAt: true } }),
    states: await t.db.prisma.flagState.findMany({ where: { workspaceId: b.id }, orderBy: { id: "asc" }, select: { id: true, version: true, enabled: true } }),
    rules: await t.db.prisma.flagRule.count({ where: { workspaceId: b.id } }),
    schedules: await t.db.prisma.schedule.findMany({ where: { workspaceId: b.id }, select: { id: true, status: true } }),
    audit: await t.db.prisma.auditEntry.count({ where: { workspaceId: b.id } }),
  });

  it("answers 404 for a flag, rule, schedule or environment of workspace B reached through workspace A's paths, changing nothing", async () => {
    const before = await snapshotOfB();
    const env = "/b-only/environments/production";
    const calls: [string, "GET" | "POST" | "PATCH" | "PUT" | "DELETE", string, unknown?][] = [
      ["get flag", "GET", "/b-only"],
      ["edit flag", "PATCH", "/b-only", { name: "Hijacked" }],
      ["deprecate", "POST", "/b-only/deprecate"],
      ["archive", "POST", "/b-only/archive"],
      ["restore", "POST", "/b-only/restore"],
      ["copy state", "POST", "/b-only/copy-state", { from: "staging", to: "production" }],
      ["get state", "GET", env],
      ["edit state", "PATCH", env, { enabled: true }],
      ["toggle", "PUT", `${env}/enabled`, { enabled: true }],
      ["add rule", "POST", `${env}/rules`, rule],
      ["reorder", "PUT", `${env}/rules/order`, { ruleIds: [] }],
      ["list schedules", "GET", `${env}/schedules`],
      ["schedule", "POST", `${env}/schedules`, { runAt: new Date(Date.now() + 60_000).toISOString(), action: { type: "enable" } }],
      ["ramp", "POST", `${env}/schedules/ramp`, { steps: [{ at: new Date(Date.now() + 60_000).toISOString(), percentage: 5 }] }],
      ["B's rule via A's flag (edit)", "PATCH", `/shared-name/environments/production/rules/${bRuleId}`, { name: "x" }],
      ["B's rule via A's flag (delete)", "DELETE", `/shared-name/environments/production/rules/${bRuleId}`],
      ["B's schedule via A's flag", "DELETE", `/shared-name/environments/production/schedules/${bScheduleId}`],
      ["B's environment via A's flag", "PUT", "/shared-name/environments/qa/enabled", { enabled: true }],
    ];
    for (const [name, method, path, payload] of calls) {
      const res = await ownerA.call(method, path, { payload, version: method === "GET" ? undefined : 1 });
      expect({ name, status: res.statusCode, code: res.json().error?.code }).toEqual({ name, status: 404, code: "NOT_FOUND" });
    }
    expect(await snapshotOfB()).toEqual(before);
  });

  it("never answers 5xx to malformed, oversized or hostile input, and changes nothing", async () => {
    const before = { flags: await t.db.prisma.flag.findMany({ where: { workspaceId: a.id }, select: { key: true, version: true } }), audit: await t.db.prisma.auditEntry.count({ where: { workspaceId: a.id } }) };
    const deep = `${"[".repeat(20_000)}1${"]".repeat(20_000)}`;
    const bodies: unknown[] = [
      null,
      [],
      "just a string",
      42,
      { unexpected: true },
      { key: 7, name: ["x"], type: "boolean" },
      { key: "x".repeat(5_000), name: "y".repeat(100_000) },
      { key: "proto", name: "Proto", __proto__: { isAdmin: true }, constructor: { prototype: {} } },
      { enabled: "true", fallthrough: { split: { allocations: "all" } } },
      { ruleIds: [1, 2, 3] },
      { conditions: [{ attribute: "a", operator: "matches", values: ["(?<"] }], serve: { variant: "on" } },
      { conditions: [{ attribute: "a", operator: "in", values: Array.from({ length: 5_000 }, (_, i) => `v${i}`) }], serve: { variant: "on" } },
      { runAt: "tomorrow", action: { type: "explode" } },
      { steps: [{ at: new Date(Date.now() + 60_000).toISOString(), percentage: 101 }] },
      { from: "production", to: { $ne: null } },
    ];
    const targets: ["POST" | "PATCH" | "PUT" | "DELETE", string][] = [
      ["POST", ""],
      ["PATCH", "/shared-name"],
      ["POST", "/shared-name/copy-state"],
      ["PATCH", "/shared-name/environments/production"],
      ["PUT", "/shared-name/environments/production/enabled"],
      ["POST", "/shared-name/environments/production/rules"],
      ["PUT", "/shared-name/environments/production/rules/order"],
      ["POST", "/shared-name/environments/production/schedules"],
      ["POST", "/shared-name/environments/production/schedules/ramp"],
    ];
    const failures: string[] = [];
    for (const [method, path] of targets) {
      for (const body of bodies) {
        const res = await ownerA.call(method, path, { payload: JSON.stringify(body), version: 1, headers: { "content-type": "application/json" } });
        if (res.statusCode < 400 || res.statusCode >= 500 || !res.json().error?.code) failures.push(`${method} ${path} ${JSON.stringify(body).slice(0, 60)} -> ${res.statusCode}`);
      }
      for (const raw of ["{nope", '{"key": "a",}', "\u0000", '{"a":1}{"b":2}']) {
        const res = await ownerA.call(method, path, { payload: raw, version: 1, headers: { "content-type": "application/json" } });
        if (res.statusCode !== 400) failures.push(`${method} ${path} raw ${JSON.stringify(raw)} -> ${res.statusCode}`);
      }
      // Nesting deep enough to overflow a recursive validator.
      const nested = `{"key":"deep","name":"Deep","type":"json","variants":[{"key":"a","value":${deep}}],"offVariant":"a","onVariant":"a","conditions":[],"enabled":${deep}}`;
      const res = await ownerA.call(method, path, { payload: nested, version: 1, headers: { "content-type": "application/json" } });
      if (res.statusCode < 400 || res.statusCode >= 500) failures.push(`${method} ${path} deeply nested -> ${res.statusCode}`);
    }
    const paths = [
      `/${"a".repeat(400)}`,
      "/UPPER/environments/production",
      "/shared-name/environments/production/rules/not-a-uuid",
      "/shared-name/environments/production/schedules/123",
      "/shared-name/environments/%00/enabled",
      "?page=-1",
      "?pageSize=abc",
      "?unknown=1",
    ];
    for (const path of paths) {
      const res = await ownerA.call("GET", path);
      if (res.statusCode < 400 || res.statusCode >= 500) failures.push(`GET ${path} -> ${res.statusCode}`);
    }
    const badIfMatch = await ownerA.call("PATCH", "/shared-name", { payload: { name: "x" }, headers: { "if-match": "W/\"banana\"" } });
    expect(badIfMatch.statusCode).toBe(400);
    expect(failures).toEqual([]);
    expect({ flags: await t.db.prisma.flag.findMany({ where: { workspaceId: a.id }, select: { key: true, version: true } }), audit: await t.db.prisma.auditEntry.count({ where: { workspaceId: a.id } }) }).toEqual(before);
  });
});
