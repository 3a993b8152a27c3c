import { compile, evaluate } from "@ensign/evaluator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inWorkspace } from "../src/infra/db/scoped";
import { readSnapshot } from "../src/modules/snapshots/snapshot-source.repository";
import { FINANCE_MODULES } from "../src/seed/finance-features";
import { createTestApp, type TestApp } from "./helpers/app";
import { createWorkspace, memberHeaders } from "./helpers/fixtures";
import { createFlag, createTenant } from "./helpers/tenancy-fixtures";

/*
 * Seed 003 ("Feature Toggling - Requirements"), Acceptance Testing Scenarios 1-5, end to end
 * through the API. The SysAdmin is the workspace's owner and works through the flags API; the
 * TenantAdmin administers one tenant through the tenant admin API. The initial feature list is
 * loaded directly, as the demo data does.
 */
describe("seed 003 acceptance scenarios", () => {
  let t: TestApp;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let sysadmin: Record<string, string>;
  let tenantAdmin: Record<string, string>;
  let otherTenantAdmin: Record<string, string>;
  const tenantKeys = ["goodwin-administratie", "acme-holiday-homes", "zeeland-str"];

  const features = async (headers = tenantAdmin) => {
    const res = await t.app.inject({ method: "GET", url: "/v1/tenant/features", headers });
    expect(res.statusCode).toBe(200);
    return new Map(res.json().modules.flatMap((m: { features: { key: string }[] }) => m.features.map((f) => [f.key, f] as const))) as Map<string, Record<string, unknown>>;
  };
  const toggle = (key: string, enabled: boolean, headers = tenantAdmin) =>
    t.app.inject({ method: "PUT", url: `/v1/tenant/features/${key}`, headers, payload: { enabled } });
  const tenantsWith = async (flag: string, state: "on" | "off") =>
    (await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/tenants?flag=${flag}&env=production&flagState=${state}&sort=key`, headers: sysadmin }))
      .json()
      .items.map((i: { key: string }) => i.key);
  /** What an end user of the tenant gets, asked of the evaluator over the environment's snapshot. */
  const forUserOf = async (tenantKey: string, flag: string) =>
    inWorkspace(t.db.prisma, ws.id, async (tx) => {
      const env = await tx.environment.findFirstOrThrow({ where: { workspaceId: ws.id, key: "production" } });
      const snapshot = await readSnapshot(tx, ws.id, env, { tenantKeys: [tenantKey] });
      return evaluate(compile(snapshot), flag, { targetingKey: "end-user-1", tenantKey }).value;
    });
  /** The SysAdmin's kill switch in production, through the flags API. */
  const setGlobally = async (flag: string, enabled: boolean) => {
    const url = `/v1/workspaces/${ws.slug}/flags/${flag}/environments/production`;
    const state = await t.app.inject({ method: "GET", url, headers: sysadmin });
    const res = await t.app.inject({ method: "PUT", url: `${url}/enabled`, headers: { ...sysadmin, "if-match": state.headers.etag as string }, payload: { enabled } });
    expect(res.statusCode).toBe(200);
  };

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.db);
    sysadmin = await memberHeaders(t.app, t.db, ws.id, "owner");
    const tenants = [];
    for (const key of tenantKeys) tenants.push(await createTenant(t.db, ws, key));
    tenantAdmin = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", tenants[0]!.id);
    otherTenantAdmin = await memberHeaders(t.app, t.db, ws.id, "tenant_admin", tenants[1]!.id);
    // Seed 003's Initial Feature List, with each feature's default.
    for (const module of FINANCE_MODULES) {
      const row = await t.db.prisma.module.create({ data: { workspaceId: ws.id, key: module.key, name: module.name } });
      for (const feature of module.features) {
        await createFlag(t.db, ws, { ...feature, moduleId: row.id, fallthrough: feature.defaultOn ? "on" : "off" });
      }
    }
  });
  afterAll(() => t.close());

  it("Scenario 1: a feature the SysAdmin creates appears in the feature list, available to all tenants by default", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: `/v1/workspaces/${ws.slug}/flags`,
      headers: sysadmin,
      payload: { key: "fin_test_feature", name: "Test Feature", description: "Created by the SysAdmin", module: "FIN", tenantManageable: true, initialState: { enabled: true, variant: "on" } },
    });
    expect(created.statusCode).toBe(201);
    const listed = await t.app.inject({ method: "GET", url: `/v1/workspaces/${ws.slug}/flags?search=fin_test`, headers: sysadmin });
    expect(listed.json().items.map((f: { key: string }) => f.key)).toEqual(["fin_test_feature"]);

    expect((await features()).get("fin_test_feature")).toMatchObject({ name: "Test Feature", module: "FIN", enabled: true, canToggle: true });
    expect((await features(otherTenantAdmin)).get("fin_test_feature")).toMatchObject({ enabled: true });
    expect(await tenantsWith("fin_test_feature", "on")).toEqual([...tenantKeys].sort());
  });

  it("Scenario 2: a TenantAdmin enables a disabled feature; it becomes available to their users and is audited", async () => {
    expect((await features()).get("str_pricing_optimizer")).toMatchObject({ enabled: false, isBeta: true, canToggle: true });
    expect(await forUserOf("goodwin-administratie", "str_pricing_optimizer")).toBe(false);

    const res = await toggle("str_pricing_optimizer", true);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ enabled: true });
    expect(await forUserOf("goodwin-administratie", "str_pricing_optimizer")).toBe(true);
    expect(await forUserOf("acme-holiday-homes", "str_pricing_optimizer")).toBe(false);

    const audit = await t.app.inject({ method: "GET", url: "/v1/tenant/audit?flag=str_pricing_optimizer", headers: tenantAdmin });
    expect(audit.json().items).toEqual([
      expect.objectContaining({ action: "tenant_feature.enabled", targetKey: "str_pricing_optimizer", environment: "production", after: expect.objectContaining({ variant: "on" }) }),
    ]);
  });

  it("Scenario 3: enabling a feature whose prerequisite is disabled is refused with the dependency named, and it stays disabled", async () => {
    // str_event_based_pricing depends on str_pricing_optimizer, which is off for Acme.
    const before = await features(otherTenantAdmin);
    expect(before.get("str_event_based_pricing")).toMatchObject({
      enabled: false,
      canToggle: false,
      blockedBy: "DEPENDENCY_NOT_MET",
      dependencies: [expect.objectContaining({ key: "str_pricing_optimizer", isMet: false })],
    });
    const res = await toggle("str_event_based_pricing", true, otherTenantAdmin);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "DEPENDENCY_NOT_MET", details: { unmet: ["str_pricing_optimizer"] } });
    expect(res.json().error.message).toContain("str_pricing_optimizer");
    expect((await features(otherTenantAdmin)).get("str_event_based_pricing")).toMatchObject({ enabled: false });
    expect(await forUserOf("acme-holiday-homes", "str_event_based_pricing")).toBe(false);
  });

  it("Scenario 4: with the FIN module disabled for the tenant, enabling a FIN feature is refused and it stays disabled", async () => {
    await t.app.inject({ method: "PUT", url: `/v1/workspaces/${ws.slug}/tenants/goodwin-administratie/modules/FIN`, headers: sysadmin, payload: { enabled: false } });
    const res = await toggle("fin_ai_extraction", true);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe("MODULE_DISABLED");
    expect(res.json().error.message).toContain("FIN");
    const listed = await features();
    expect(listed.get("fin_ai_extraction")).toMatchObject({ enabled: false, moduleEnabled: false, detail: "MODULE_DISABLED" });
    expect(await forUserOf("goodwin-administratie", "fin_ai_extraction")).toBe(false);
    expect(await forUserOf("acme-holiday-homes", "fin_ai_extraction")).toBe(true);
  });

  it("Scenario 5: the SysAdmin's global off beats the TenantAdmin's on, and the TenantAdmin cannot re-enable it", async () => {
    expect(await tenantsWith("str_pricing_optimizer", "on")).toEqual(["goodwin-administratie"]);
    await setGlobally("str_pricing_optimizer", false);

    expect(await tenantsWith("str_pricing_optimizer", "on")).toEqual([]);
    expect(await forUserOf("goodwin-administratie", "str_pricing_optimizer")).toBe(false);
    expect((await features()).get("str_pricing_optimizer")).toMatchObject({ enabled: false, globallyDisabled: true, canToggle: false, blockedBy: "FEATURE_DISABLED" });

    const res = await toggle("str_pricing_optimizer", true);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("FEATURE_DISABLED");
    expect(await forUserOf("goodwin-administratie", "str_pricing_optimizer")).toBe(false);

    // When the SysAdmin switches it back on, the tenant's own choice applies again.
    await setGlobally("str_pricing_optimizer", true);
    expect(await tenantsWith("str_pricing_optimizer", "on")).toEqual(["goodwin-administratie"]);
  });
});
