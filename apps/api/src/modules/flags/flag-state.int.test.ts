import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { auditOf, createSegment, createTenants, flagsClient, type FlagsClient } from "../../../test/helpers/flags";
import type { EnvironmentChange } from "../../infra/changes";

const split = (on: number) => ({ split: { allocations: [{ variant: "on", weight: on }, { variant: "off", weight: 100_000 - on }] } });
const adminRule = { name: "Admins", conditions: [{ attribute: "role", operator: "in", values: ["admin"] }], serve: { variant: "on" } };

describe("flag state per environment", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let editor: FlagsClient;
  let admin: FlagsClient;
  const published: EnvironmentChange[][] = [];

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    editor = flagsClient(t.app, ws.slug, { ...(await memberHeaders(t.app, t.db, ws.id, "editor")), "user-agent": "state-test" });
    admin = flagsClient(t.app, ws.slug, await memberHeaders(t.app, t.db, ws.id, "admin"));
    await createTenants(t.db, ws.id, ["acme", "globex", "initech"]);
    await createSegment(t.db, ws.id, "beta-testers");
    t.app.services.notifier.onLocalChange((changes) => published.push(changes));
    for (const key of ["checkout", "deprecated-flag", "copy-me", "race"]) expect((await admin.create({ key, name: key })).statusCode).toBe(201);
  });
  afterAll(() => t.close());

  const snapshotVersions = async () =>
    Object.fromEntries((await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id } })).map((e) => [e.key, e.snapshotVersion]));

  it("sets the kill switch and a split fallthrough under If-Match, bumping only that environment's snapshot and publishing it", async () => {
    const before = await snapshotVersions();
    published.length = 0;
    const res = await editor.patchState("checkout", "production", 1, { enabled: true, fallthrough: split(30_000) });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.json()).toMatchObject({ flag: "checkout", environment: "production", enabled: true, fallthrough: split(30_000), version: 2 });
    const after = await snapshotVersions();
    expect(after).toEqual({ ...before, production: before.production! + 1 });
    expect(published).toEqual([[expect.objectContaining({ environmentKey: "production", version: after.production })]]);
    const [audit] = await auditOf(t.db, ws.id, "flag_state.updated");
    expect(audit).toMatchObject({
      actorRole: "editor",
      userAgent: "state-test",
      ip: "127.0.0.1",
      environmentKey: "production",
      targetKey: "checkout",
      before: { enabled: false, fallthrough: { variant: "off" } },
      after: { enabled: true, fallthrough: split(30_000) },
    });
    const summary = (await editor.get("checkout", "production")).json().environments[0];
    expect(summary).toMatchObject({ status: "partial", rollout: { summary: "30% on", percentage: 30 } });
  });

  it("names bad targeting fields with 400 and changes nothing", async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ fallthrough: { split: { allocations: [{ variant: "on", weight: 60_000 }, { variant: "off", weight: 30_000 }] } } }, ["body.fallthrough.split.allocations"]],
      [{ fallthrough: { split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "on", weight: 50_000 }] } } }, ["body.fallthrough.split.allocations.1.variant"]],
      [{ fallthrough: { variant: "maybe" } }, ["body.fallthrough.variant"]],
      [{ tenantAllow: ["acme", "nobody"] }, ["body.tenantAllow.1"]],
      [{ tenantAllow: ["acme"], tenantDeny: ["acme"] }, ["body.tenantAllow"]],
      [{ enabled: "yes" }, ["body.enabled"]],
    ];
    for (const [payload, paths] of cases) {
      const res = await editor.patchState("checkout", "production", 2, payload);
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      const got = res.json().error.details.issues.map((i: { path: string }) => i.path);
      expect(got).toEqual(expect.arrayContaining(paths));
    }
    expect((await editor.state("checkout", "production")).json().version).toBe(2);
  });

  it("keeps allow and deny lists of existing tenants, deduplicated", async () => {
    const res = await editor.patchState("checkout", "production", 2, { tenantAllow: ["acme", "acme", "globex"], tenantDeny: ["initech"] });
    expect(res.json()).toMatchObject({ tenantAllow: ["acme", "globex"], tenantDeny: ["initech"], version: 3 });
    const overlap = await editor.patchState("checkout", "production", 3, { tenantDeny: ["acme"] });
    expect(overlap.statusCode).toBe(400);
  });

  it("toggles with the dedicated route, audited with only the switch", async () => {
    const res = await editor.toggle("checkout", "staging", 1, true);
    expect(res.json()).toMatchObject({ enabled: true, version: 2 });
    expect((await editor.toggle("checkout", "staging", 1, false)).statusCode).toBe(412);
    const off = await admin.toggle("checkout", "staging", 2, false);
    expect(off.json().enabled).toBe(false);
    const audits = await auditOf(t.db, ws.id, "flag_state.toggled");
    expect(audits.map((a) => [a.actorRole, a.before, a.after])).toEqual([
      ["editor", { enabled: false }, { enabled: true }],
      ["admin", { enabled: true }, { enabled: false }],
    ]);
  });

  it("adds, edits, reorders and deletes rules, one version for state and rules", async () => {
    const first = await editor.addRule("checkout", "production", 3, adminRule);
    expect(first.statusCode).toBe(201);
    const firstId = first.json().rules[0].id;
    expect(first.headers.location).toBe(`/v1/workspaces/${ws.slug}/flags/checkout/environments/production/rules/${firstId}`);
    const second = await editor.addRule("checkout", "production", 4, {
      conditions: [{ attribute: "plan", operator: "in_segment", values: ["beta-testers"] }, { attribute: "email", operator: "ends_with", values: ["@acme.test"], negate: true }],
      serve: split(50_000),
      position: 0,
    });
    const ids = second.json().rules.map((r: { id: string }) => r.id);
    expect(ids[1]).toBe(firstId);
    expect(second.json().version).toBe(5);

    const edited = await editor.call("PATCH", `/checkout/environments/production/rules/${firstId}`, { version: 5, payload: { name: null, serve: { variant: "off" } } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().rules[1]).toEqual({ id: firstId, conditions: adminRule.conditions, serve: { variant: "off" } });

    const wrongSet = await editor.call("PUT", "/checkout/environments/production/rules/order", { version: 6, payload: { ruleIds: [firstId] } });
    expect(wrongSet.statusCode).toBe(400);
    expect(wrongSet.json().error.details.issues[0].path).toBe("body.ruleIds");
    const reordered = await editor.call("PUT", "/checkout/environments/production/rules/order", { version: 6, payload: { ruleIds: [firstId, ids[0]] } });
    expect(reordered.json().rules.map((r: { id: string }) => r.id)).toEqual([firstId, ids[0]]);

    const deleted = await editor.call("DELETE", `/checkout/environments/production/rules/${firstId}`, { version: 7 });
    expect(deleted.json().rules.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(deleted.json().version).toBe(8);
    expect((await editor.call("DELETE", `/checkout/environments/production/rules/${firstId}`, { version: 8 })).statusCode).toBe(404);

    const actions = (await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: { startsWith: "flag_rule" } }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(["flag_rule.created", "flag_rule.created", "flag_rule.updated", "flag_rules.reordered", "flag_rule.deleted"]);
    const [reorder] = await auditOf(t.db, ws.id, "flag_rules.reordered");
    expect(reorder).toMatchObject({ before: { order: [ids[0], firstId] }, after: { order: [firstId, ids[0]] } });
    const [deletedAudit] = await auditOf(t.db, ws.id, "flag_rule.deleted");
    expect(deletedAudit!.before).toMatchObject({ id: firstId, serve: { variant: "off" } });
  });

  it("refuses rules naming unknown segments or variants, regexes that need backtracking, and too many conditions", async () => {
    const version = (await editor.state("checkout", "production")).json().version;
    const cases: [Record<string, unknown>, string][] = [
      [{ conditions: [{ attribute: "plan", operator: "in_segment", values: ["no-such-segment"] }], serve: { variant: "on" } }, "body.conditions.0.values.0"],
      [{ conditions: [], serve: { variant: "nope" } }, "body.serve.variant"],
      [{ conditions: [{ attribute: "email", operator: "matches", values: ["^(?!admin)"] }], serve: { variant: "on" } }, "body.conditions.0.values"],
      [{ conditions: [{ attribute: "email", operator: "matches", values: ["([a-z"] }], serve: { variant: "on" } }, "body.conditions.0.values"],
      [{ conditions: [{ attribute: "age", operator: "gt", values: ["old"] }], serve: { variant: "on" } }, "body.conditions.0.values"],
      [{ conditions: Array.from({ length: 51 }, () => ({ attribute: "a", operator: "exists", values: [] })), serve: { variant: "on" } }, "body.conditions"],
    ];
    for (const [payload, path] of cases) {
      const res = await editor.addRule("checkout", "production", version, payload);
      expect({ path, status: res.statusCode }).toEqual({ path, status: 400 });
      expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await editor.state("checkout", "production")).json().version).toBe(version);
  });

  it("refuses new rules on a deprecated flag with 409 FLAG_DEPRECATED, but lets existing ones be edited", async () => {
    const added = await editor.addRule("deprecated-flag", "production", 1, adminRule);
    const ruleId = added.json().rules[0].id;
    await admin.call("POST", "/deprecated-flag/deprecate", { version: 1 });
    const refused = await editor.addRule("deprecated-flag", "production", 2, adminRule);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("FLAG_DEPRECATED");
    const edit = await editor.call("PATCH", `/deprecated-flag/environments/production/rules/${ruleId}`, { version: 2, payload: { name: "Still editable" } });
    expect(edit.statusCode).toBe(200);
    const copy = await editor.call("POST", "/deprecated-flag/copy-state", { version: 1, payload: { from: "production", to: "staging" } });
    expect(copy.statusCode).toBe(409);
    expect(await t.db.prisma.flagRule.count({ where: { workspaceId: ws.id, flagState: { flag: { key: "deprecated-flag" } } } })).toBe(1);
  });

  it("copies state between environments with new rule ids, audited with before and after", async () => {
    await editor.patchState("copy-me", "staging", 1, { enabled: true, fallthrough: split(10_000), tenantDeny: ["globex"] });
    const withRule = await editor.addRule("copy-me", "staging", 2, adminRule);
    const sourceRuleId = withRule.json().rules[0].id;
    const before = await snapshotVersions();

    const res = await editor.call("POST", "/copy-me/copy-state", { version: 1, payload: { from: "staging", to: "production" } });
    expect(res.statusCode).toBe(200);
    const copied = res.json();
    expect(copied).toMatchObject({ environment: "production", enabled: true, fallthrough: split(10_000), tenantAllow: [], tenantDeny: ["globex"], version: 2 });
    expect(copied.rules).toHaveLength(1);
    expect(copied.rules[0].id).not.toBe(sourceRuleId);
    expect(copied.rules[0]).toMatchObject({ name: "Admins", conditions: adminRule.conditions, serve: adminRule.serve });
    expect((await snapshotVersions()).production).toBe(before.production! + 1);

    const [audit] = await auditOf(t.db, ws.id, "flag_state.copied");
    expect(audit).toMatchObject({ environmentKey: "production", before: { enabled: false, rules: [] }, after: { enabled: true, copiedFrom: "staging", tenantDeny: ["globex"] } });
    expect((await editor.call("POST", "/copy-me/copy-state", { version: 2, payload: { from: "staging", to: "staging" } })).statusCode).toBe(400);
    expect((await editor.call("POST", "/copy-me/copy-state", { version: 1, payload: { from: "staging", to: "production" } })).statusCode).toBe(412);
  });

  it("lets exactly one of two concurrent state writes based on the same version win; the other gets 412", async () => {
    const [a, b] = await Promise.all([editor.addRule("race", "production", 1, adminRule), admin.patchState("race", "production", 1, { enabled: true })]);
    // Either may win: the rule (201) or the switch (200); the other is refused.
    expect([a.statusCode, b.statusCode]).toEqual(a.statusCode === 201 ? [201, 412] : [412, 200]);
    const loser = a.statusCode === 412 ? a : b;
    expect(loser.json().error).toMatchObject({ code: "VERSION_MISMATCH", details: { currentVersion: 2 } });
    const state = (await editor.state("race", "production")).json();
    expect(state.version).toBe(2);
    // Only the winner's change is there, whole.
    expect([state.rules.length, state.enabled]).toEqual(a.statusCode === 201 ? [1, false] : [0, true]);
    const audits = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, targetKey: "race", action: { in: ["flag_rule.created", "flag_state.updated"] } } });
    expect(audits).toBe(1);
  });

  it("refuses state writes to archived flags with 409", async () => {
    await admin.create({ key: "gone", name: "Gone" });
    await admin.call("POST", "/gone/archive", { version: 1 });
    const res = await editor.toggle("gone", "production", 1, true);
    expect(res.statusCode).toBe(409);
    expect((await editor.state("gone", "production")).json().enabled).toBe(false);
  });

  it("treats an environment without a state row as disabled at version 1, and creates the row on the first write", async () => {
    await t.db.prisma.environment.create({ data: { workspaceId: ws.id, key: "qa", name: "QA", sortOrder: 9, contextSecret: "q".repeat(43) } });
    const flag = (await editor.get("checkout")).json();
    expect(flag.environments.at(-1)).toMatchObject({ environment: "qa", enabled: false, status: "off", version: 1 });
    const state = await editor.state("checkout", "qa");
    expect(state.json()).toMatchObject({ enabled: false, fallthrough: { variant: "off" }, rules: [], version: 1 });
    expect(await t.db.prisma.flagState.count({ where: { workspaceId: ws.id, environment: { key: "qa" } } })).toBe(0);
    const written = await editor.toggle("checkout", "qa", 1, true);
    expect(written.json()).toMatchObject({ enabled: true, version: 2 });
    expect((await editor.list("env=qa&search=checkout")).json().items[0].environments[0]).toMatchObject({ enabled: true, version: 2 });
  });
});
