import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app";
import { envId } from "../helpers/tenancy-fixtures";
import { createWorld, type World } from "./world";

/**
 * The guard admits an owner to their own workspace; these are the attacks that pass it. Rows
 * addressed by id (members, API keys, rules, schedules) and keys of the other workspace, sent
 * under the owner's own workspace: each answers 404 (or a 4xx naming nothing of the other
 * workspace) and changes nothing there.
 */
describe("another workspace's ids under one's own workspace", () => {
  let t: TestApp;
  let world: World;
  let a: string;
  let b: string;
  let attacks = 0;
  const their = { memberId: "", keyId: "", ruleId: "", scheduleId: "", serviceTokenId: "" };

  async function state(workspace: World["a"]) {
    return t.db.prisma.flagState.findFirstOrThrow({ where: { flagId: workspace.flag.id, environmentId: envId(workspace) }, include: { rules: true } });
  }

  beforeAll(async () => {
    t = await createTestApp();
    world = await createWorld(t);
    a = `/v1/workspaces/${world.a.slug}`;
    b = `/v1/workspaces/${world.b.slug}`;
    const owner = world.headers.otherOwner;
    their.memberId = world.memberIds.otherViewer!;
    their.keyId = world.keys.otherWorkspaceServerKey.id;
    const before = await state(world.b);
    const rule = await t.app.inject({
      method: "POST",
      url: `${b}/flags/kb/environments/production/rules`,
      headers: { ...owner, "if-match": `"${before.version}"` },
      payload: { conditions: [{ attribute: "plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } },
    });
    expect(rule.statusCode).toBeLessThan(300);
    their.ruleId = (await state(world.b)).rules[0]!.id;
    const schedule = await t.app.inject({
      method: "POST",
      url: `${b}/flags/kb/environments/production/schedules`,
      headers: owner,
      payload: { runAt: new Date(Date.now() + 86_400_000).toISOString(), action: { type: "disable" } },
    });
    expect(schedule.statusCode).toBe(201);
    their.scheduleId = schedule.json().id;
    const token = await t.app.inject({ method: "POST", url: `${b}/service-tokens`, headers: owner, payload: { name: "their ci", role: "admin" } });
    expect(token.statusCode).toBe(201);
    their.serviceTokenId = token.json().id;
  });
  afterAll(() => {
    console.info(`cross-workspace id attacks checked: ${attacks}`);
    return t.close();
  });

  it("finds none of them, and changes nothing in the other workspace", async () => {
    const owner = world.headers.owner;
    const stateA = await state(world.a);
    const stateB = await state(world.b);
    const v = (version: number) => ({ "if-match": `"${version}"` });
    const attempts = [
      { method: "GET", url: `${a}/members/${their.memberId}` },
      { method: "PATCH", url: `${a}/members/${their.memberId}`, headers: v(1), payload: { role: "owner" } },
      { method: "DELETE", url: `${a}/members/${their.memberId}`, headers: v(1) },
      { method: "POST", url: `${a}/environments/production/api-keys/${their.keyId}/revoke` },
      { method: "PATCH", url: `${a}/flags/kb/environments/production/rules/${their.ruleId}`, headers: v(stateA.version), payload: { serve: { variant: "off" } } },
      { method: "DELETE", url: `${a}/flags/kb/environments/production/rules/${their.ruleId}`, headers: v(stateA.version) },
      { method: "PUT", url: `${a}/flags/kb/environments/production/rules/order`, headers: v(stateA.version), payload: { ruleIds: [their.ruleId] } },
      { method: "DELETE", url: `${a}/flags/kb/environments/production/schedules/${their.scheduleId}` },
      { method: "DELETE", url: `${a}/service-tokens/${their.serviceTokenId}` },
      { method: "GET", url: `${a}/tenants/${world.b.tenantA.key}` },
      { method: "PUT", url: `${a}/flags/kb/environments/production/tenant-overrides/${world.b.tenantA.key}`, payload: { variant: "off" } },
      {
        method: "POST",
        url: `${a}/environments/production/tenant-overrides/bulk`,
        payload: { action: "set", flag: "kb", variant: "off", tenants: [world.b.tenantA.key, world.b.tenantB.key] },
      },
    ] as const;
    const outcomes: string[] = [];
    for (const attempt of attempts) {
      attacks++;
      const res = await t.app.inject({ ...attempt, headers: { ...owner, ...("headers" in attempt ? attempt.headers : {}) } });
      if (res.statusCode < 400 || res.statusCode >= 500) outcomes.push(`${attempt.method} ${attempt.url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      for (const trace of [world.b.id, world.b.slug, world.emails.otherViewer]) if (res.body.includes(trace)) outcomes.push(`${attempt.method} ${attempt.url} names ${trace}`);
    }
    expect(outcomes).toEqual([]);

    // Workspace B is as it was.
    const member = await t.db.prisma.membership.findUniqueOrThrow({ where: { id: their.memberId } });
    expect(member.role).toBe("viewer");
    expect((await t.db.prisma.apiKey.findUniqueOrThrow({ where: { id: their.keyId } })).revokedAt).toBeNull();
    const after = await state(world.b);
    expect(after.version).toBe(stateB.version);
    expect(after.rules.map((r) => [r.id, r.serve])).toEqual(stateB.rules.map((r) => [r.id, r.serve]));
    expect((await t.db.prisma.schedule.findUniqueOrThrow({ where: { id: their.scheduleId } })).status).toBe("pending");
    expect((await t.db.prisma.serviceToken.findUniqueOrThrow({ where: { id: their.serviceTokenId } })).revokedAt).toBeNull();
    expect(await t.db.prisma.tenantOverride.count({ where: { workspaceId: world.b.id } })).toBe(1);
    expect(await t.db.prisma.tenantOverride.count({ where: { workspaceId: world.a.id, tenant: { workspaceId: world.b.id } } })).toBe(0);
    expect((await t.db.prisma.auditEntry.findMany({ where: { workspaceId: world.b.id, actorId: world.userIds.owner } })).length).toBe(0);
  });

  it("reads only its own workspace in audit, export, live evaluation and lists", async () => {
    const owner = world.headers.owner;
    const reads = [
      `${a}/audit?limit=200`,
      `${a}/audit?actor=${world.userIds.otherOwner}`,
      `${a}/export`,
      `${a}/members`,
      `${a}/api-keys`,
      `${a}/service-tokens`,
      `${a}/tenants?search=${world.b.tenantA.key}`,
      `${a}/flags/kb/environments/production/schedules`,
    ];
    for (const url of reads) {
      attacks++;
      const res = await t.app.inject({ method: "GET", url, headers: owner });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
      for (const trace of [world.b.id, world.b.tenantA.key, world.emails.otherOwner, their.scheduleId, their.keyId, their.serviceTokenId]) expect({ url, leaks: res.body.includes(trace) }).toEqual({ url, leaks: false });
    }
    attacks++;
    const live = await t.app.inject({ method: "POST", url: `${a}/environments/production/evaluate`, headers: owner, payload: { context: { targetingKey: "u", tenantKey: world.b.tenantA.key } } });
    expect(live.statusCode).toBe(200);
    expect(live.body).not.toContain(world.b.id);
  });

  it("keeps tenant admins in their own tenant of their own workspace", async () => {
    const tenantAdmin = world.headers.tenantAdmin;
    attacks++;
    const elsewhere = await t.app.inject({ method: "GET", url: `/v1/tenant/features?workspace=${world.b.slug}`, headers: tenantAdmin });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.body).not.toContain(world.b.id);
    attacks++;
    const toggled = await t.app.inject({ method: "PUT", url: `/v1/tenant/features/kb?workspace=${world.b.slug}`, headers: tenantAdmin, payload: { enabled: false } });
    expect(toggled.statusCode).toBe(404);
    // Their own toggle writes their own tenant's override and no one else's.
    attacks++;
    const before = await t.db.prisma.tenantOverride.findMany({ where: { tenantId: { not: world.a.tenantA.id } }, orderBy: { id: "asc" } });
    const own = await t.app.inject({ method: "PUT", url: "/v1/tenant/features/kb", headers: tenantAdmin, payload: { enabled: false } });
    expect(own.statusCode).toBe(200);
    expect(await t.db.prisma.tenantOverride.findMany({ where: { tenantId: { not: world.a.tenantA.id } }, orderBy: { id: "asc" } })).toEqual(before);
    const audit = await t.app.inject({ method: "GET", url: "/v1/tenant/audit", headers: world.headers.otherTenantsAdmin });
    expect(audit.statusCode).toBe(200);
    expect(audit.body).not.toContain(world.a.tenantA.key);
  });
});
