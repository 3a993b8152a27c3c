import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, expectCompleteAudit, createFlag, expectNo5xx, expectRoleMatrix, ifMatch, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import type { EnvironmentChange } from "../../infra/changes";

const VIP_RULES = [{ conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro", "enterprise"] }] }];

describe("segments", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;
  const changes: EnvironmentChange[] = [];

  /** A rule of the flag's state in one environment that reads the segments. */
  async function ruleReading(flagKey: string, environment: string, segments: string[]) {
    const state = await t.db.prisma.flagState.findFirstOrThrow({ where: { flag: { workspaceId: world.ws.id, key: flagKey }, environment: { key: environment } } });
    await t.db.prisma.flagRule.create({
      data: {
        workspaceId: world.ws.id,
        flagStateId: state.id,
        position: 0,
        conditions: [
          { attribute: "country", operator: "equals", values: ["NL"] },
          { attribute: "targetingKey", operator: "in_segment", values: segments },
        ],
        serve: { variant: "on" },
      },
    });
  }

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/segments`;
    t.app.services.notifier.onLocalChange((batch) => changes.push(...batch));
    const envIds = world.ws.environments.map((e) => e.id);
    await createFlag(t, world.ws.id, "new-dashboard", envIds);
    await createFlag(t, world.ws.id, "ai-features", envIds);
  });
  afterAll(() => t.close());

  it("lets editors create segments, bumping every environment", async () => {
    const before = await t.db.prisma.environment.findMany({ where: { workspaceId: world.ws.id }, orderBy: { key: "asc" } });
    changes.length = 0;
    const res = await t.app.inject({
      method: "POST",
      url: base,
      headers: { ...headers.editor, "user-agent": "segments-test" },
      payload: { key: "vip-producers", name: "VIP producers", includedTenants: ["acme"], excludedUsers: ["u-9"], rules: VIP_RULES },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ key: "vip-producers", includedTenants: ["acme"], excludedUsers: ["u-9"], includedUsers: [], rules: VIP_RULES, usedByFlags: 0 });
    const after = await t.db.prisma.environment.findMany({ where: { workspaceId: world.ws.id }, orderBy: { key: "asc" } });
    expect(after.map((e) => e.snapshotVersion)).toEqual(before.map((e) => e.snapshotVersion + 1));
    expect(changes).toHaveLength(3);
    const [entry] = await auditOf(t.db, world.ws.id, "segment.created");
    expect(entry).toMatchObject({ actorRole: "editor", userAgent: "segments-test", targetKey: "vip-producers", after: { key: "vip-producers", rules: VIP_RULES } });

    const beta = await t.app.inject({ method: "POST", url: base, headers: headers.editor, payload: { key: "beta-testers", name: "Beta testers", includedUsers: ["u-1", "u-2"] } });
    expect(beta.statusCode).toBe(201);
  });

  it("names bad fields, refuses nested segments and duplicate keys", async () => {
    const bad = await t.app.inject({
      method: "POST",
      url: base,
      headers: headers.editor,
      payload: { key: "x y", name: "N", includedUsers: ["ok", "not ok"], rules: [{ conditions: [{ attribute: "age", operator: "gt", values: ["old"] }] }] },
    });
    expect(issuePaths(bad)).toEqual(expect.arrayContaining(["body.key", "body.includedUsers.1", "body.rules.0.conditions.0.values"]));
    const nested = await t.app.inject({
      method: "POST",
      url: base,
      headers: headers.editor,
      payload: { key: "nested", name: "N", rules: [{ conditions: [{ attribute: "targetingKey", operator: "in_segment", values: ["beta-testers"] }] }] },
    });
    expect(issuePaths(nested)).toEqual(["body.rules.0.conditions.0.operator"]);
    const duplicate = await t.app.inject({ method: "POST", url: base, headers: headers.editor, payload: { key: "beta-testers", name: "Again" } });
    expect(duplicate.statusCode).toBe(409);
    expect(await t.db.prisma.segment.count({ where: { workspaceId: world.ws.id } })).toBe(2);
  });

  it("counts the flags whose rules read a segment, and names them", async () => {
    await ruleReading("new-dashboard", "production", ["beta-testers"]);
    await ruleReading("new-dashboard", "staging", ["beta-testers", "vip-producers"]);
    await ruleReading("ai-features", "production", ["beta-testers"]);

    const list = await t.app.inject({ method: "GET", url: base, headers: headers.viewer });
    expect(list.json().items.map((s: { key: string; usedByFlags: number }) => [s.key, s.usedByFlags])).toEqual([["beta-testers", 2], ["vip-producers", 1]]);
    const detail = await t.app.inject({ method: "GET", url: `${base}/beta-testers`, headers: headers.viewer });
    expect(detail.json().usedBy).toEqual([
      { flagKey: "ai-features", environments: ["production"] },
      { flagKey: "new-dashboard", environments: ["production", "staging"] },
    ]);
    const searched = await t.app.inject({ method: "GET", url: `${base}?search=VIP`, headers: headers.viewer });
    expect(searched.json()).toMatchObject({ total: 1, items: [{ key: "vip-producers" }] });
    const byMember = await t.app.inject({ method: "GET", url: `${base}?member=u-2`, headers: headers.viewer });
    expect(byMember.json().items.map((s: { key: string }) => s.key)).toEqual(["beta-testers"]);
  });

  it("counts rules written through the flags API, which the flag's history shows", async () => {
    const flags = `/v1/workspaces/${world.ws.slug}/flags`;
    const created = await t.app.inject({ method: "POST", url: flags, headers: headers.admin, payload: { key: "via-api", name: "Via API" } });
    expect(created.statusCode).toBe(201);
    const state = await t.app.inject({ method: "GET", url: `${flags}/via-api/environments/development`, headers: headers.editor });
    const rule = await t.app.inject({
      method: "POST",
      url: `${flags}/via-api/environments/development/rules`,
      headers: { ...headers.editor, "if-match": state.headers.etag as string },
      payload: { conditions: [{ attribute: "targetingKey", operator: "in_segment", values: ["vip-producers"] }], serve: { variant: "on" } },
    });
    expect(rule.statusCode).toBe(201);
    const detail = await t.app.inject({ method: "GET", url: `${base}/vip-producers`, headers: headers.viewer });
    expect(detail.json().usedBy).toEqual(expect.arrayContaining([{ flagKey: "via-api", environments: ["development"] }]));
    const history = await t.app.inject({ method: "GET", url: `${flags}/via-api/audit`, headers: headers.viewer });
    expect(history.json().items.map((e: { action: string }) => e.action)).toEqual(["flag_rule.created", "flag.created"]);
    await t.db.prisma.flag.delete({ where: { id: created.json().id } });
  });

  it("replaces lists with If-Match and refuses a stale version", async () => {
    const url = `${base}/beta-testers`;
    expect((await t.app.inject({ method: "PATCH", url, headers: headers.editor, payload: { name: "B" } })).statusCode).toBe(428);
    const ok = await t.app.inject({ method: "PATCH", url, headers: { ...headers.editor, ...ifMatch(1) }, payload: { includedUsers: ["u-3"], description: null } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ includedUsers: ["u-3"], name: "Beta testers", version: 2, usedByFlags: 2 });
    const [stale, fresh] = await Promise.all(
      [1, 2].map((version) => t.app.inject({ method: "PATCH", url, headers: { ...headers.editor, ...ifMatch(version) }, payload: { name: `v${version}` } })),
    );
    expect([stale!.statusCode, fresh!.statusCode]).toEqual([412, 200]);
    const [entry] = await auditOf(t.db, world.ws.id, "segment.updated");
    expect(entry).toMatchObject({ before: { includedUsers: ["u-1", "u-2"] }, after: { includedUsers: ["u-3"] } });
  });

  it("refuses to delete a segment in use, naming the flags, and deletes one that is not", async () => {
    const inUse = await t.app.inject({ method: "DELETE", url: `${base}/vip-producers`, headers: { ...headers.editor, ...ifMatch(1) } });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.message).toContain("new-dashboard");
    expect(inUse.json().error.details.flags).toEqual([{ flagKey: "new-dashboard", environments: ["staging"] }]);

    await t.db.prisma.flagRule.deleteMany({ where: { workspaceId: world.ws.id, flagState: { environment: { key: "staging" } } } });
    changes.length = 0;
    const res = await t.app.inject({ method: "DELETE", url: `${base}/vip-producers`, headers: { ...headers.editor, ...ifMatch(1) } });
    expect(res.statusCode).toBe(204);
    expect(changes).toHaveLength(3);
    const [entry] = await auditOf(t.db, world.ws.id, "segment.deleted");
    expect(entry).toMatchObject({ actorRole: "editor", before: { key: "vip-producers", includedTenants: ["acme"] } });
  });

  it("checks every route's roles", async () => {
    const writers = ["owner", "admin", "editor"] as const;
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "get", method: "GET", url: `${base}/beta-testers`, allowed: ["owner", "admin", "editor", "viewer"], allowedStatus: 200 },
      { name: "create", method: "POST", url: base, payload: { key: 1 }, allowed: writers, allowedStatus: 400 },
      { name: "update", method: "PATCH", url: `${base}/beta-testers`, payload: { rules: "all" }, allowed: writers, allowedStatus: 400 },
      { name: "delete", method: "DELETE", url: `${base}/beta-testers`, allowed: writers, allowedStatus: 428 },
    ]);
  });

  it("never reaches another workspace's segments", async () => {
    const theirs = await t.db.prisma.segment.create({ data: { workspaceId: world.other.id, key: "theirs", name: "Theirs" } });
    const url = `${base}/theirs`;
    for (const attempt of [
      { method: "GET" as const, url },
      { method: "PATCH" as const, url, payload: { name: "Mine" } },
      { method: "DELETE" as const, url },
    ]) {
      const res = await t.app.inject({ ...attempt, headers: { ...headers.owner, ...ifMatch(1) } });
      expect({ ...attempt, status: res.statusCode }).toEqual({ ...attempt, status: 404 });
    }
    expect(await t.db.prisma.segment.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ name: "Theirs", version: 1 });
  });

  it("answers malformed input with a 4xx", async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => `u${i}`);
    await expectNo5xx(t, { ...headers.owner, ...ifMatch(1) }, [
      { method: "POST", url: base, payload: { key: "big", name: "Big", includedUsers: many } },
      { method: "POST", url: base, payload: { key: "re", name: "Re", rules: [{ conditions: [{ attribute: "a", operator: "matches", values: ["(a+)+$("] }] }] } },
      { method: "POST", url: base, payload: { key: "empty", name: "E", rules: [{ conditions: [] }] } },
      { method: "PATCH", url: `${base}/beta-testers`, payload: { rules: [{ conditions: [{ attribute: "x", operator: "nope", values: [] }] }] } },
      { method: "GET", url: `${base}?member=${"x".repeat(300)}` },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    await expectCompleteAudit(t, world.ws.id);
  });
});
