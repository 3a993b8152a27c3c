import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, login, memberHeaders } from "../../../test/helpers/fixtures";
import { createTenant } from "../../../test/helpers/tenancy-fixtures";
import { seedDemo } from "../../seed/demo-data";

/** Seed 003 US-1: the workspace's admins define which features tenant admins may switch. */
describe("tenant-manageable flags", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let owner: Record<string, string>;
  let tenantAdmin: Record<string, string>;
  const flags = () => `/v1/workspaces/${ws.slug}/flags`;
  const feature = async (key: string) => {
    const res = await t.app.inject({ method: "GET", url: `/v1/tenant/features/${key}`, headers: tenantAdmin });
    expect(res.statusCode).toBe(200);
    return res.json() as Record<string, unknown>;
  };
  const toggle = (key: string, enabled: boolean, headers = tenantAdmin) => t.app.inject({ method: "PUT", url: `/v1/tenant/features/${key}`, headers, payload: { enabled } });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    owner = await memberHeaders(t.app, t.db, ws.id, "owner");
    const tenant = await createTenant(t.db, ws, "acme");
    tenantAdmin = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", tenant.id);
  });
  afterAll(() => t.close());

  it("creates flags that tenant admins cannot switch, shows them read-only with the reason, and refuses a switch with 403", async () => {
    const created = await t.app.inject({ method: "POST", url: flags(), headers: owner, payload: { key: "reports", name: "Reports", initialState: { enabled: true } } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ tenantManageable: false, feedbackUrl: null });

    expect(await feature("reports")).toMatchObject({ tenantManageable: false, canToggle: false, blockedBy: "FEATURE_NOT_MANAGEABLE", blockedReason: expect.stringMatching(/managed by the workspace admins/) });
    const audits = await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } });
    const refused = await toggle("reports", true);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: "FEATURE_NOT_MANAGEABLE", message: expect.stringContaining("reports") });
    expect(await t.db.prisma.tenantOverride.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await t.db.prisma.auditEntry.count({ where: { workspaceId: ws.id } })).toBe(audits);
  });

  it("lets an admin make a flag tenant-manageable, audited, after which the tenant admin switches it", async () => {
    const current = await t.app.inject({ method: "GET", url: `${flags()}/reports`, headers: owner });
    const updated = await t.app.inject({
      method: "PATCH",
      url: `${flags()}/reports`,
      headers: { ...owner, "if-match": current.headers.etag as string },
      payload: { tenantManageable: true },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().tenantManageable).toBe(true);
    const entry = await t.db.prisma.auditEntry.findFirstOrThrow({ where: { workspaceId: ws.id, action: "flag.updated", targetKey: "reports" } });
    expect(entry).toMatchObject({ before: { tenantManageable: false }, after: { tenantManageable: true } });

    expect(await feature("reports")).toMatchObject({ tenantManageable: true, canToggle: true });
    const res = await toggle("reports", true);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ enabled: true });
  });

  it("shows a beta feature's feedback link to tenant admins and accepts only http(s) links", async () => {
    const current = await t.app.inject({ method: "GET", url: `${flags()}/reports`, headers: owner });
    const bad = await t.app.inject({
      method: "PATCH",
      url: `${flags()}/reports`,
      headers: { ...owner, "if-match": current.headers.etag as string },
      payload: { isBeta: true, feedbackUrl: "javascript:alert(1)" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.issues.map((i: { path: string }) => i.path)).toContain("body.feedbackUrl");
    const good = await t.app.inject({
      method: "PATCH",
      url: `${flags()}/reports`,
      headers: { ...owner, "if-match": current.headers.etag as string },
      payload: { isBeta: true, feedbackUrl: "https://feedback.example/reports" },
    });
    expect(good.statusCode).toBe(200);
    expect(await feature("reports")).toMatchObject({ isBeta: true, feedbackUrl: "https://feedback.example/reports" });
  });

  it("enforces a module's key prefix on flags created in it, and on a prefix added later", async () => {
    const modules = `/v1/workspaces/${ws.slug}/modules`;
    expect((await t.app.inject({ method: "POST", url: modules, headers: owner, payload: { key: "FIN", name: "Finance", keyPrefix: "fin_" } })).statusCode).toBe(201);
    const stray = await t.app.inject({ method: "POST", url: flags(), headers: owner, payload: { key: "invoices", name: "Invoices", module: "FIN" } });
    expect(stray.statusCode).toBe(400);
    expect(stray.json().error.details.issues).toEqual([{ path: "body.key", message: expect.stringContaining("'fin_'") }]);
    expect((await t.app.inject({ method: "POST", url: flags(), headers: owner, payload: { key: "fin_invoices", name: "Invoices", module: "FIN" } })).statusCode).toBe(201);

    // A module without a prefix takes any key; giving it a prefix its flags do not follow is refused, naming them.
    const created = await t.app.inject({ method: "POST", url: modules, headers: owner, payload: { key: "STR", name: "Short stay" } });
    expect((await t.app.inject({ method: "POST", url: flags(), headers: owner, payload: { key: "pricing", name: "Pricing", module: "STR" } })).statusCode).toBe(201);
    const prefixed = await t.app.inject({
      method: "PATCH",
      url: `${modules}/STR`,
      headers: { ...owner, "if-match": `"${created.json().version}"` },
      payload: { keyPrefix: "str_" },
    });
    expect(prefixed.statusCode).toBe(400);
    expect(prefixed.json().error.message).toContain("pricing");
  });

  it("lets a tenant admin switch their own tenant's module only when the module is tenant-manageable, audited", async () => {
    const modules = `/v1/workspaces/${ws.slug}/modules`;
    const refused = await t.app.inject({ method: "PUT", url: "/v1/tenant/modules/FIN", headers: tenantAdmin, payload: { enabled: false } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("FEATURE_NOT_MANAGEABLE");

    const fin = await t.app.inject({ method: "GET", url: `${modules}/FIN`, headers: owner });
    const opened = await t.app.inject({
      method: "PATCH",
      url: `${modules}/FIN`,
      headers: { ...owner, "if-match": `"${fin.json().version}"` },
      payload: { tenantManageable: true },
    });
    expect(opened.statusCode).toBe(200);
    expect(opened.json().tenantManageable).toBe(true);

    const off = await t.app.inject({ method: "PUT", url: "/v1/tenant/modules/FIN", headers: tenantAdmin, payload: { enabled: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ key: "FIN", enabled: false, tenantManageable: true });
    const listed = await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: tenantAdmin });
    expect(listed.json().modules.find((m: { key: string }) => m.key === "FIN")).toMatchObject({ enabled: false, tenantManageable: true });
    expect(await feature("fin_invoices")).toMatchObject({ moduleEnabled: false, enabled: false });
    const audit = await t.app.inject({ method: "GET", url: "/v1/tenant/audit", headers: tenantAdmin });
    expect(audit.json().items[0]).toMatchObject({ action: "tenant_module.disabled", targetKey: "FIN", before: { enabled: true }, after: { enabled: false } });

    const unknown = await t.app.inject({ method: "PUT", url: "/v1/tenant/modules/NOPE", headers: tenantAdmin, payload: { enabled: true } });
    expect(unknown.statusCode).toBe(404);
  });

  it("ships the demo as the seeds describe: a producer cannot switch its portal features, a Finance Suite tenant admin can", async () => {
    await seedDemo(t.db.prisma);
    const producer = (await login(t.app, "producer@arizona-comedy.test", "ensign-producer-demo")).headers;
    const kb = await t.app.inject({ method: "GET", url: "/v1/tenant/features/knowledge_base_enabled", headers: producer });
    expect(kb.json()).toMatchObject({ tenantManageable: false, canToggle: false });
    const refused = await toggle("knowledge_base_enabled", true, producer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("FEATURE_NOT_MANAGEABLE");

    const financeAdmin = (await login(t.app, "tenant-admin@ensign.local", "ensign-tenant-demo")).headers;
    const listed = await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers: financeAdmin });
    const all = listed.json().modules.flatMap((m: { features: { tenantManageable: boolean }[] }) => m.features);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((f: { tenantManageable: boolean }) => f.tenantManageable)).toBe(true);
    // Seed 003's open question 4: every beta feature, and only those, links to a feedback form.
    const links = Object.fromEntries(all.filter((f: { isBeta: boolean }) => f.isBeta).map((f: { key: string; feedbackUrl: string | null }) => [f.key, f.feedbackUrl]));
    expect(links).toEqual({
      fin_import_invoices_missing_generation: "https://feedback.finance-suite.example/fin-import-invoices-missing-generation",
      str_pricing_optimizer: "https://feedback.finance-suite.example/str-pricing-optimizer",
      str_event_based_pricing: "https://feedback.finance-suite.example/str-event-based-pricing",
    });
    expect(all.filter((f: { isBeta: boolean; feedbackUrl: string | null }) => !f.isBeta && f.feedbackUrl !== null)).toEqual([]);
  });
});
