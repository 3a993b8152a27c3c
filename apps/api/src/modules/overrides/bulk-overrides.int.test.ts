import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { countRows, createFlag, createTenant, setOverride } from "../../../test/helpers/tenancy-fixtures";

describe("bulk tenant overrides", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  const h: Record<string, Record<string, string>> = {};
  const producers = ["p1", "p2", "p3", "p4"];
  const bulk = (payload: object, headers = h.admin, env = "production") =>
    t.app.inject({ method: "POST", url: `/v1/workspaces/${ws.slug}/environments/${env}/tenant-overrides/bulk`, headers, payload });
  const overrides = async () =>
    (
      await t.db.prisma.tenantOverride.findMany({
        where: { workspaceId: ws.id },
        select: { variant: true, locked: true, tenant: { select: { key: true } }, flag: { select: { key: true } } },
        orderBy: [{ tenant: { key: "asc" } }, { flag: { key: "asc" } }],
      })
    ).map((o) => `${o.tenant.key}/${o.flag.key}=${o.variant}${o.locked ? "*" : ""}`);
  const tenantsWith = async (flag: string, state: "on" | "off") =>
    (
      await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/tenants?flag=${flag}&env=production&flagState=${state}&sort=key`, headers: h.admin })
    )
      .json()
      .items.map((i: { key: string }) => i.key);

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    for (const role of ["admin", "editor"] as const) h[role] = await memberHeaders(t.app, t.db, ws.id, role);
    const kb = await createFlag(t.db, ws, { key: "knowledge_base" });
    await createFlag(t.db, ws, { key: "ai_agents", fallthrough: "on" });
    await createFlag(t.db, ws, { key: "additional_services" });
    const tenants = [];
    for (const key of producers) tenants.push(await createTenant(t.db, ws, key));
    await setOverride(t.db, ws, kb.id, tenants[3]!.id, "on", { locked: true });
  });
  afterAll(() => t.close());

  it("previews exactly what enabling would change and changes nothing", async () => {
    const before = await countRows(t.db, ws.id);
    const versions = await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, select: { snapshotVersion: true } });
    const res = await bulk({ action: "set", flag: "knowledge_base", tenants: ["p1", "p2", "p4"], preview: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      action: "set",
      environment: "production",
      preview: true,
      changes: [
        { tenant: "p1", flag: "knowledge_base", before: null, after: { variant: "on", locked: false, source: "workspace_admin", expiresAt: null } },
        { tenant: "p2", flag: "knowledge_base", before: null, after: { variant: "on", locked: false, source: "workspace_admin", expiresAt: null } },
      ],
      skipped: [{ tenant: "p4", flag: "knowledge_base", reason: "already as asked" }],
    });
    expect(await countRows(t.db, ws.id)).toEqual(before);
    expect(await t.db.prisma.environment.findMany({ where: { workspaceId: ws.id }, select: { snapshotVersion: true } })).toEqual(versions);
  });

  it("enables a flag for the selected tenants in one transaction, one audit entry per change", async () => {
    const auditBefore = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } });
    const res = await bulk({ action: "set", flag: "knowledge_base", tenants: ["p1", "p2", "p4"] });
    expect(res.json()).toMatchObject({ preview: false, changes: [{ tenant: "p1" }, { tenant: "p2" }] });
    expect(await tenantsWith("knowledge_base", "on")).toEqual(["p1", "p2", "p4"]);
    const entries = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, id: { gt: 0 } }, orderBy: { id: "asc" }, skip: auditBefore });
    expect(entries.map((e) => [e.action, e.tenantKey, e.targetKey, e.environmentKey, e.actorRole])).toEqual([
      ["tenant_override.set", "p1", "knowledge_base", "production", "admin"],
      ["tenant_override.set", "p2", "knowledge_base", "production", "admin"],
    ]);
    expect(new Set(entries.map((e) => e.requestId)).size).toBe(1);
  });

  it("disables every feature for the selected producers, keeping locks, with a preview that matches", async () => {
    const preview = await bulk({ action: "disable_all", tenants: ["p1", "p4"], preview: true });
    expect(preview.json().changes.map((c: { tenant: string; flag: string }) => `${c.tenant}/${c.flag}`)).toEqual([
      "p1/additional_services",
      "p1/ai_agents",
      "p1/knowledge_base",
      "p4/additional_services",
      "p4/ai_agents",
      "p4/knowledge_base",
    ]);
    // An editor may not change p4's locked override: the whole action is refused.
    const rows = await countRows(t.db, ws.id);
    const refused = await bulk({ action: "disable_all", tenants: ["p1", "p4"] }, h.editor);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.details.overrides).toEqual([{ tenant: "p4", flag: "knowledge_base" }]);
    expect(await countRows(t.db, ws.id)).toEqual(rows);

    const applied = await bulk({ action: "disable_all", tenants: ["p1", "p4"] });
    expect(applied.json().changes).toEqual(preview.json().changes);
    expect(await countRows(t.db, ws.id)).toEqual({ ...rows, tenantOverrides: rows.tenantOverrides + 4, audit: rows.audit + 6 });
    expect(await overrides()).toEqual([
      "p1/additional_services=off",
      "p1/ai_agents=off",
      "p1/knowledge_base=off",
      "p2/knowledge_base=on",
      "p4/additional_services=off",
      "p4/ai_agents=off",
      "p4/knowledge_base=off*",
    ]);
    expect(await tenantsWith("ai_agents", "on")).toEqual(["p2", "p3"]);
  });

  it("locks, unlocks and clears for many tenants, skipping those without an override", async () => {
    const lock = await bulk({ action: "lock", flag: "knowledge_base", tenants: ["p1", "p3", "p4"] });
    expect(lock.json()).toMatchObject({
      changes: [{ tenant: "p1", before: { locked: false }, after: { locked: true, variant: "off" } }],
      skipped: [
        { tenant: "p3", reason: "the tenant has no override of this flag here" },
        { tenant: "p4", reason: "already as asked" },
      ],
    });
    expect((await bulk({ action: "unlock", flag: "knowledge_base", tenants: ["p1"] }, h.editor)).statusCode).toBe(403);
    const clear = await bulk({ action: "clear", flag: "knowledge_base", tenants: ["p1", "p2", "p4"] });
    expect(clear.json().changes.map((c: { tenant: string; after: unknown }) => [c.tenant, c.after])).toEqual([
      ["p1", null],
      ["p2", null],
      ["p4", null],
    ]);
    const actions = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: { in: ["tenant_override.locked", "tenant_override.cleared"] } } });
    expect(actions.map((e) => `${e.action}:${e.tenantKey}`).sort()).toEqual([
      "tenant_override.cleared:p1",
      "tenant_override.cleared:p2",
      "tenant_override.cleared:p4",
      "tenant_override.locked:p1",
    ]);
  });

  it("refuses bad actions naming the fields, writing nothing", async () => {
    const rows = await countRows(t.db, ws.id);
    const cases: [object, string][] = [
      [{ action: "explode", tenants: ["p1"] }, "body.action"],
      [{ action: "set", flag: "knowledge_base", tenants: [] }, "body.tenants"],
      [{ action: "set", flag: "knowledge_base", tenants: ["p1", "p1"] }, "body.tenants"],
      [{ action: "set", flag: "knowledge_base", tenants: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, "body.tenants"],
      [{ action: "set", flag: "knowledge_base", tenants: ["p1", "ghost"] }, "body.tenants.1"],
      [{ action: "set", flag: "ghost", tenants: ["p1"] }, "body.flag"],
      [{ action: "set", flag: "knowledge_base", variant: "maybe", tenants: ["p1"] }, "body.variant"],
      [{ action: "set", flag: "knowledge_base", expiresAt: "2000-01-01T00:00:00Z", tenants: ["p1"] }, "body.expiresAt"],
      [{ action: "lock", flag: "knowledge_base", variant: "on", tenants: ["p1"] }, "body"],
    ];
    for (const [payload, path] of cases) {
      const res = await bulk(payload);
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await bulk({ action: "clear", flag: "knowledge_base", tenants: ["p1"] }, h.admin, "nowhere")).statusCode).toBe(404);
    expect(await countRows(t.db, ws.id)).toEqual(rows);
  });
});
