import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminWorld, expectCompleteAudit, createFlag, expectNo5xx, expectRoleMatrix, ifMatch, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import type { EnvironmentChange } from "../../infra/changes";

describe("modules", () => {
  let t: TestApp;
  let world: Awaited<ReturnType<typeof adminWorld>>;
  let headers: Record<Caller, Headers>;
  let base: string;
  const changes: EnvironmentChange[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    world = await adminWorld(t);
    headers = world.headers;
    base = `/v1/workspaces/${world.ws.slug}/modules`;
    t.app.services.notifier.onLocalChange((batch) => changes.push(...batch));
  });
  afterAll(() => t.close());

  it("creates modules and lists them with flag counts, search and sort", async () => {
    for (const [key, name] of [["FIN", "Finance"], ["STR", "Short-term rental"], ["TENADMIN", "Tenant admin"]]) {
      const res = await t.app.inject({ method: "POST", url: base, headers: { ...headers.admin, "user-agent": "modules-test" }, payload: { key, name } });
      expect(res.statusCode).toBe(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.json()).toMatchObject({ key, name, description: "", flagCount: 0, version: 1 });
    }
    const fin = await t.db.prisma.module.findFirstOrThrow({ where: { workspaceId: world.ws.id, key: "FIN" } });
    const envIds = world.ws.environments.map((e) => e.id);
    await createFlag(t, world.ws.id, "fin_invoices", envIds, { moduleId: fin.id });
    await createFlag(t, world.ws.id, "fin_reports", envIds, { moduleId: fin.id });

    const res = await t.app.inject({ method: "GET", url: `${base}?sort=flagCount&order=desc`, headers: headers.viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(3);
    expect(res.json().items.map((m: { key: string; flagCount: number }) => [m.key, m.flagCount])).toEqual([["FIN", 2], ["STR", 0], ["TENADMIN", 0]]);
    const searched = await t.app.inject({ method: "GET", url: `${base}?search=rental`, headers: headers.viewer });
    expect(searched.json().items.map((m: { key: string }) => m.key)).toEqual(["STR"]);

    const [entry] = await auditOf(t.db, world.ws.id, "module.created");
    expect(entry).toMatchObject({ actorRole: "admin", userAgent: "modules-test", targetKey: "FIN", after: { key: "FIN", name: "Finance", description: "" } });
  });

  it("refuses a duplicate key and names bad fields", async () => {
    const duplicate = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "FIN", name: "Again" } });
    expect(duplicate.statusCode).toBe(409);
    const bad = await t.app.inject({ method: "POST", url: base, headers: headers.owner, payload: { key: "-bad", name: "", description: 3 } });
    expect(issuePaths(bad)).toEqual(expect.arrayContaining(["body.key", "body.name", "body.description"]));
  });

  it("renames with If-Match and clears a description with null", async () => {
    const url = `${base}/STR`;
    expect((await t.app.inject({ method: "PATCH", url, headers: headers.admin, payload: { name: "Rentals" } })).statusCode).toBe(428);
    const described = await t.app.inject({ method: "PATCH", url, headers: { ...headers.admin, ...ifMatch(1) }, payload: { name: "Rentals", description: "STR" } });
    expect(described.json()).toMatchObject({ name: "Rentals", description: "STR", version: 2 });
    const cleared = await t.app.inject({ method: "PATCH", url, headers: { ...headers.admin, ...ifMatch(2) }, payload: { description: null } });
    expect(cleared.json()).toMatchObject({ name: "Rentals", description: "", version: 3 });
    const stale = await t.app.inject({ method: "PATCH", url, headers: { ...headers.admin, ...ifMatch(2) }, payload: { name: "Lost" } });
    expect(stale.statusCode).toBe(412);
    const entries = await auditOf(t.db, world.ws.id, "module.updated");
    expect(entries.map((e) => [e.before, e.after])).toEqual([
      [{ name: "Short-term rental", description: "" }, { name: "Rentals", description: "STR" }],
      [{ description: "STR" }, { description: "" }],
    ]);
  });

  it("refuses to delete a module that still has flags, naming how many", async () => {
    const res = await t.app.inject({ method: "DELETE", url: `${base}/FIN`, headers: { ...headers.owner, ...ifMatch(1) } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "CONFLICT", details: { flagCount: 2, flags: ["fin_invoices", "fin_reports"] } });
    expect(res.json().error.message).toMatch(/2 flags/);
    expect(await t.db.prisma.module.count({ where: { workspaceId: world.ws.id, key: "FIN" } })).toBe(1);
  });

  it("deletes an empty module with its tenant switches, bumping every environment", async () => {
    const mod = await t.db.prisma.module.findFirstOrThrow({ where: { workspaceId: world.ws.id, key: "TENADMIN" } });
    await t.db.prisma.tenantModule.create({ data: { workspaceId: world.ws.id, tenantId: world.tenant.id, moduleId: mod.id, enabled: false } });
    changes.length = 0;
    const res = await t.app.inject({ method: "DELETE", url: `${base}/TENADMIN`, headers: { ...headers.owner, ...ifMatch(1) } });
    expect(res.statusCode).toBe(204);
    expect(await t.db.prisma.tenantModule.count({ where: { moduleId: mod.id } })).toBe(0);
    expect(changes.map((c) => c.environmentKey).sort()).toEqual(["development", "production", "staging"]);
    const [entry] = await auditOf(t.db, world.ws.id, "module.deleted");
    expect(entry).toMatchObject({ actorRole: "owner", before: { key: "TENADMIN", tenantSwitches: 1 } });
  });

  it("checks every route's roles", async () => {
    const writers = ["owner", "admin"] as const;
    const readers = ["owner", "admin", "editor", "viewer"] as const;
    await expectRoleMatrix(t, headers, [
      { name: "list", method: "GET", url: base, allowed: readers, allowedStatus: 200 },
      { name: "get", method: "GET", url: `${base}/FIN`, allowed: readers, allowedStatus: 200 },
      { name: "create", method: "POST", url: base, payload: {}, allowed: writers, allowedStatus: 400 },
      { name: "update", method: "PATCH", url: `${base}/FIN`, payload: { name: "" }, allowed: writers, allowedStatus: 400 },
      { name: "delete", method: "DELETE", url: `${base}/FIN`, allowed: writers, allowedStatus: 428 },
    ]);
  });

  it("never reaches another workspace's modules", async () => {
    const theirs = await t.db.prisma.module.create({ data: { workspaceId: world.other.id, key: "THEIRS", name: "Theirs" } });
    const url = `${base}/THEIRS`;
    for (const attempt of [
      { method: "GET" as const, url },
      { method: "PATCH" as const, url, payload: { name: "Mine" } },
      { method: "DELETE" as const, url },
    ]) {
      const res = await t.app.inject({ ...attempt, headers: { ...headers.owner, ...ifMatch(1) } });
      expect({ ...attempt, status: res.statusCode }).toEqual({ ...attempt, status: 404 });
    }
    expect(await t.db.prisma.module.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ name: "Theirs", version: 1 });
  });

  it("answers malformed input with a 4xx", async () => {
    await expectNo5xx(t, { ...headers.owner, ...ifMatch(1) }, [
      { method: "POST", url: base, payload: { key: "K".repeat(500), name: "n".repeat(500), description: "d".repeat(6000) } },
      { method: "GET", url: `${base}?sort=__proto__&order=sideways&pageSize=abc` },
      { method: "PATCH", url: `${base}/FIN`, payload: { key: "NEW" } },
      { method: "DELETE", url: `${base}/${encodeURIComponent("../../etc")}` },
    ]);
  });

  it("records actor, role, IP and user agent for every write, and no secret", async () => {
    await expectCompleteAudit(t, world.ws.id);
  });
});
