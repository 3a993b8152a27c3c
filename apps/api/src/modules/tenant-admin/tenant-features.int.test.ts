import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders } from "../../../test/helpers/fixtures";
import { countRows, createFlag, createModule, createTenant, setFlagEnabled, setOverride, touch } from "../../../test/helpers/tenancy-fixtures";

describe("tenant admin features", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let ta: Record<string, string>;
  let admin: Record<string, string>;
  const feature = async (key: string, env = "production") =>
    (await t.app.inject({ method: "GET", url: `/v1/tenant/features/${key}?env=${env}`, headers: ta })).json();
  const toggle = (key: string, payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "PUT", url: `/v1/tenant/features/${key}`, headers: { ...ta, ...headers }, payload });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    const fin = await createModule(t.db, ws, "FIN", "Finance");
    const str = await createModule(t.db, ws, "STR", "Short-term rental");
    const mine = await createTenant(t.db, ws, "goodwin");
    ta = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", mine.id);
    admin = await memberHeaders(t.app, t.db, ws.id, "admin");
    await createFlag(t.db, ws, { key: "fin_ai_extraction", name: "AI Invoice Extraction", moduleId: fin.id, fallthrough: "on", description: "Use AI for invoice parsing" });
    await createFlag(t.db, ws, { key: "fin_duplicate_detection", name: "Duplicate Detection", moduleId: fin.id, fallthrough: "on", dependsOn: ["fin_ai_extraction"] });
    await createFlag(t.db, ws, { key: "str_pricing_optimizer", name: "AI Pricing Optimizer", moduleId: str.id, isBeta: true });
    await createFlag(t.db, ws, { key: "str_event_pricing", name: "Event-Based Pricing", moduleId: str.id, isBeta: true, dependsOn: ["str_pricing_optimizer"] });
    await createFlag(t.db, ws, { key: "general_export", name: "Export" });
    await createFlag(t.db, ws, { key: "old_reports", name: "Old Reports", deprecated: true, fallthrough: "on" });
    const locked = await createFlag(t.db, ws, { key: "pinned", name: "Pinned" });
    await setOverride(t.db, ws, locked.id, mine.id, "off", { locked: true });
    const denied = await createFlag(t.db, ws, { key: "denied", name: "Denied", fallthrough: "on" });
    await t.db.prisma.flagState.updateMany({ where: { flagId: denied.id }, data: { tenantDeny: ["goodwin"] } });
    await createFlag(t.db, ws, { key: "killed", name: "Killed", enabled: false });
    await createFlag(t.db, ws, { key: "gone", name: "Gone", archived: true });
    const blocked = await createModule(t.db, ws, "TENADMIN", "Tenant admin");
    await createFlag(t.db, ws, { key: "tenadmin_audit_logs", name: "Audit Logs", moduleId: blocked.id });
    await t.db.prisma.tenantModule.create({ data: { workspaceId: ws.id, tenantId: mine.id, moduleId: blocked.id, enabled: false } });
    await touch(t.db, ws);
  });
  afterAll(() => t.close());

  it("lists the tenant's features grouped by module with what limits them", async () => {
    const res = await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: ta });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ workspace: { slug: ws.slug }, tenant: { key: "goodwin" }, environment: "production" });
    expect(body.modules.map((m: { key: string | null; enabled: boolean }) => [m.key, m.enabled])).toEqual([
      ["FIN", true],
      ["STR", true],
      ["TENADMIN", false],
      [null, true],
    ]);
    const all = body.modules.flatMap((m: { features: { key: string }[] }) => m.features);
    const byKey = Object.fromEntries(all.map((f: { key: string }) => [f.key, f]));
    expect(Object.keys(byKey)).not.toContain("gone");
    expect(byKey.fin_duplicate_detection).toMatchObject({
      enabled: true,
      dependencies: [{ key: "fin_ai_extraction", name: "AI Invoice Extraction", isMet: true }],
      canToggle: true,
      blockedBy: null,
    });
    expect(byKey.fin_ai_extraction).toMatchObject({ description: "Use AI for invoice parsing", dependants: ["fin_duplicate_detection"], canToggle: true });
    expect(byKey.str_pricing_optimizer).toMatchObject({ enabled: false, isBeta: true, locked: false, override: null, version: 0, canToggle: true });
    expect(byKey.str_event_pricing).toMatchObject({ canToggle: false, blockedBy: "DEPENDENCY_NOT_MET" });
    expect(byKey.pinned).toMatchObject({ locked: true, lockedBy: "override", canToggle: false, blockedBy: "FEATURE_LOCKED", override: { locked: true, source: "workspace_admin" } });
    expect(byKey.denied).toMatchObject({ enabled: false, locked: true, lockedBy: "deny_list", blockedBy: "FEATURE_LOCKED" });
    expect(byKey.killed).toMatchObject({ enabled: false, globallyDisabled: true, blockedBy: "FEATURE_DISABLED", reason: "DISABLED" });
    expect(byKey.tenadmin_audit_logs).toMatchObject({ moduleEnabled: false, blockedBy: "MODULE_DISABLED", detail: "MODULE_DISABLED" });
    expect(byKey.old_reports).toMatchObject({ deprecated: true, enabled: true, canToggle: true });

    const str = await t.app.inject({ method: "GET", url: "/v1/tenant/features?module=STR", headers: ta });
    expect(str.json().modules.map((m: { key: string }) => m.key)).toEqual(["STR"]);
    const none = await t.app.inject({ method: "GET", url: "/v1/tenant/features?module=none", headers: ta });
    expect(none.json().modules.map((m: { key: string | null }) => m.key)).toEqual([null]);
    const search = await t.app.inject({ method: "GET", url: "/v1/tenant/features?search=PRICING", headers: ta });
    expect(search.json().modules.flatMap((m: { features: { key: string }[] }) => m.features.map((f) => f.key))).toEqual(["str_pricing_optimizer", "str_event_pricing"]);
  });

  it("enables a feature with an unlocked tenant_admin override, audited, visible to the workspace admins", async () => {
    const before = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: ws.id, key: "production" } });
    const res = await toggle("str_pricing_optimizer", { enabled: true }, { "user-agent": "tenant-console" });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({ enabled: true, detail: "TENANT_OVERRIDE", override: { variant: "on", source: "tenant_admin", locked: false }, version: 1 });
    const after = await t.db.prisma.environment.findFirstOrThrow({ where: { id: before.id } });
    expect(after.snapshotVersion).toBe(before.snapshotVersion + 1);
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "tenant_feature.enabled" } });
    expect(entry).toMatchObject({
      actorRole: "tenant_admin",
      ip: "127.0.0.1",
      userAgent: "tenant-console",
      tenantKey: "goodwin",
      environmentKey: "production",
      targetType: "tenant_override",
      targetKey: "str_pricing_optimizer",
      after: { variant: "on", source: "tenant_admin", locked: false },
    });
    expect(entry!.before).toBeNull();
    const list = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/tenants?flag=str_pricing_optimizer&env=production&flagState=on`, headers: admin });
    expect(list.json().items.map((i: { key: string }) => i.key)).toEqual(["goodwin"]);
    // Its dependant can now be enabled; doing it again changes nothing.
    expect((await feature("str_event_pricing")).canToggle).toBe(true);
    const again = await toggle("str_pricing_optimizer", { enabled: true });
    expect(again.json().version).toBe(1);
    expect(await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id, action: "tenant_feature.enabled" } })).toBe(1);
  });

  it("refuses what the workspace admins decided, with the codes the UI explains, changing nothing", async () => {
    const rows = await countRows(t.db, ws.id);
    const cases: [string, object, number, string][] = [
      ["pinned", { enabled: true }, 403, "FEATURE_LOCKED"],
      ["denied", { enabled: true }, 403, "FEATURE_LOCKED"],
      ["tenadmin_audit_logs", { enabled: true }, 409, "MODULE_DISABLED"],
      ["killed", { enabled: true }, 403, "FEATURE_DISABLED"],
      ["old_reports", { enabled: true }, 409, "FLAG_DEPRECATED"],
      ["fin_ai_extraction", { enabled: false }, 409, "HAS_DEPENDANTS"],
      ["gone", { enabled: true }, 404, "NOT_FOUND"],
      ["no_such_flag", { enabled: true }, 404, "NOT_FOUND"],
    ];
    for (const [key, payload, status, code] of cases) {
      const res = await toggle(key, payload);
      expect({ key, status: res.statusCode, code: res.json().error.code }).toEqual({ key, status, code });
    }
    const dependants = await toggle("fin_ai_extraction", { enabled: false });
    expect(dependants.json().error.details).toEqual({ dependants: ["fin_duplicate_detection"] });
    expect(dependants.json().error.message).toContain("fin_duplicate_detection");
    const bad = await toggle("general_export", { enabled: "yes", extra: 1 });
    expect(bad.json().error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(["body", "body.enabled"]);
    expect(await countRows(t.db, ws.id)).toEqual(rows);
  });

  it("turns dependants off with force, and disables deprecated features", async () => {
    const forced = await toggle("fin_ai_extraction", { enabled: false, force: true });
    expect(forced.statusCode).toBe(200);
    expect(forced.json()).toMatchObject({ enabled: false, dependants: [] });
    expect(await feature("fin_duplicate_detection")).toMatchObject({ enabled: false, detail: "PREREQUISITE_FAILED:fin_ai_extraction", blockedBy: "DEPENDENCY_NOT_MET" });
    const [entry] = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id, action: "tenant_feature.disabled", targetKey: "fin_ai_extraction" } });
    expect(entry!.after).toMatchObject({ variant: "off", forcedPast: ["fin_duplicate_detection"] });
    expect((await toggle("old_reports", { enabled: false })).json()).toMatchObject({ enabled: false });
  });

  it("takes If-Match as the feature's version and refuses a stale one with 412", async () => {
    const current = await feature("general_export");
    expect(current.version).toBe(0);
    expect((await toggle("general_export", { enabled: true }, { "if-match": '"3"' })).statusCode).toBe(412);
    const on = await toggle("general_export", { enabled: true }, { "if-match": '"0"' });
    expect(on.json()).toMatchObject({ enabled: true, version: 1 });
    const stale = await toggle("general_export", { enabled: false }, { "if-match": '"0"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.details).toEqual({ currentVersion: 1 });
    expect((await toggle("general_export", { enabled: false }, { "if-match": '"1"' })).json()).toMatchObject({ enabled: false, version: 2 });
  });

  it("answers in another environment when asked, and names an unknown one", async () => {
    await setFlagEnabled(t.db, ws, (await t.db.prisma.flag.findFirstOrThrow({ where: { workspaceId: ws.id, key: "killed" } })).id, true, "staging");
    expect(await feature("killed", "staging")).toMatchObject({ globallyDisabled: false, canToggle: true });
    const unknown = await t.app.inject({ method: "GET", url: "/v1/tenant/features?env=moon", headers: ta });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details.issues[0].path).toBe("querystring.env");
  });
});
