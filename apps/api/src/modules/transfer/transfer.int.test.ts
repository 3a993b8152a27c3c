import { WorkspaceExport } from "@ensign/contracts/export";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allAuditText, expectCompleteAudit, expectNo5xx, expectRoleMatrix, issuePaths, type Caller, type Headers } from "../../../test/helpers/admin";
import { auditOf } from "../../../test/helpers/rows";
import { createTestApp, type TestApp } from "../../../test/helpers/app";
import { createWorkspace, memberHeaders, unique } from "../../../test/helpers/fixtures";
import { createRichWorkspace } from "../../../test/helpers/rich-workspace";
import { comparable, evaluationsOf, snapshotFromDb } from "../../../test/helpers/snapshot";

const NOW = Date.parse("2026-03-10T12:00:00.000Z");

/** Contexts that reach every rule, override, list and split of the rich workspace. */
const CONTEXTS: Record<string, unknown>[] = [
  { targetingKey: "u-1", tenantKey: "initech", role: "admin", country: "NL", email: "ada@beta.test", name: "Ada", path: "/app/home", plan: "free" },
  { targetingKey: "u-2", tenantKey: "acme", age: 30 },
  { targetingKey: "u-3", tenantKey: "globex", age: 70, appVersion: "2.0.0", minVersion: "2.1.0", emailVerified: true },
  { targetingKey: "u-4", tenantKey: "initech", age: 20, signupAt: "2026-03-01T00:00:00Z" },
  { targetingKey: "u-5", appVersion: "2.5.1", minVersion: "2.1.0", emailVerified: false, email: "eve@beta.test" },
  { targetingKey: "u-9", tenantKey: "acme", email: "mallory@beta.test" },
  { targetingKey: "u-6", tenantKey: "umbrella", age: 40 },
  { targetingKey: "u-7", tenantKey: "acme", platform: "tiktok" },
  { targetingKey: "u-8", platform: "snapchat", geo: { region: "eu" } },
  { targetingKey: "u-10", platform: "tiktok", geo: { region: "eu" } },
  ...Array.from({ length: 40 }, (_, i) => ({ targetingKey: `user-${i}`, tenantKey: `tenant-${i % 7}`, signupAt: "2026-03-05T00:00:00Z" })),
  ...Array.from({ length: 40 }, (_, i) => ({ targetingKey: `beta-${i}`, tenantKey: `tenant-${i % 5}`, appVersion: "2.5.1", minVersion: "2.1.0", emailVerified: true, email: `b${i}@beta.test` })),
];

/** A document without what differs between two workspaces of the same content: when, which workspace, ramp ids. */
function sameContent(doc: WorkspaceExport) {
  const flags = doc.flags.map((flag) => ({
    ...flag,
    schedules: Object.fromEntries(
      Object.entries(flag.schedules).map(([env, list]) => [env, list.map((schedule) => ({ ...schedule, ramp: schedule.ramp === null ? null : "ramp" }))]),
    ),
  }));
  return { ...doc, exportedAt: "", workspace: null, flags };
}

describe("export and import", () => {
  let t: TestApp;
  let rich: Awaited<ReturnType<typeof createRichWorkspace>>;
  let owner: Headers;
  let doc: WorkspaceExport;
  let exportBody: string;

  /** A new, empty workspace and its owner's headers. */
  async function emptyWorkspace() {
    const ws = await createWorkspace(t.db);
    return { ws, headers: await memberHeaders(t.app, t.db, ws.id, "owner") };
  }

  beforeAll(async () => {
    t = await createTestApp();
    rich = await createRichWorkspace(t.db);
    owner = await memberHeaders(t.app, t.db, rich.ws.id, "owner");
    const res = await t.app.inject({ method: "GET", url: `/v1/workspaces/${rich.ws.slug}/export`, headers: { ...owner, "user-agent": "export-test" } });
    expect(res.statusCode).toBe(200);
    exportBody = res.body;
    doc = WorkspaceExport.parse(res.json());
  });
  afterAll(() => t.close());

  it("exports the whole workspace in a versioned format, as a download", async () => {
    expect(doc).toMatchObject({ format: "ensign.workspace", formatVersion: 1, workspace: { slug: rich.ws.slug } });
    expect(doc.environments.map((e) => e.key)).toEqual(["development", "staging", "production", "qa"]);
    expect(doc.environments.map((e) => e.requireContextToken)).toEqual([false, false, false, true]);
    expect(doc.environments.map((e) => e.isProduction)).toEqual([false, false, false, false]);
    expect(doc.modules.map((m) => m.key)).toEqual(["FIN", "STR"]);
    expect(doc.flags.map((f) => f.key)).toEqual(["checkout_variant", "fin_invoices", "gone_flag", "max_items", "old_flag", "ui_config"]);
    const invoices = doc.flags.find((f) => f.key === "fin_invoices")!;
    expect(invoices).toMatchObject({ module: "FIN", salt: "salt-fin_invoices", isBeta: true, lifecycle: "permanent", owner: "finance-team" });
    expect(Object.keys(invoices.states).sort()).toEqual(["development", "production", "qa", "staging"]);
    expect(invoices.states.production).toMatchObject({ enabled: true, tenantAllow: ["acme"], tenantDeny: ["globex"] });
    expect(invoices.states.production!.rules).toHaveLength(4);
    expect(invoices.schedules.production).toHaveLength(2);
    expect(invoices.schedules.production![0]!.ramp).toBe(invoices.schedules.production![1]!.ramp);
    expect(doc.flags.find((f) => f.key === "max_items")!.schedules).toEqual({});
    expect(doc.tenants.find((x) => x.key === "globex")).toMatchObject({ modules: { STR: false }, attributes: { plan: "standard", seats: 5 } });
    expect(doc.tenantOverrides).toHaveLength(2);
    expect(doc.userOverrides).toHaveLength(2);
    expect(doc.identities).toHaveLength(2);
    const [entry] = await auditOf(t.db, rich.ws.id, "workspace.exported");
    expect(entry).toMatchObject({ actorRole: "owner", userAgent: "export-test", after: { flags: 6, tenants: 4, segments: 2, identities: 2 } });
  });

  it("never exports a secret, a key, a member or a password", async () => {
    expect(exportBody).not.toContain(rich.apiKeySecret);
    expect(exportBody).not.toContain(rich.apiKeyHash);
    for (const secret of rich.contextSecrets) expect(exportBody).not.toContain(secret);
    expect(exportBody).not.toMatch(/ens_srv_|ens_cli_|ecs_|scrypt|passwordHash|contextSecret|secretHash/);
    const ownerEmail = (await t.app.inject({ method: "GET", url: "/v1/auth/me", headers: owner })).json().email as string;
    expect(exportBody).not.toContain(ownerEmail);
  });

  it("imports into an empty workspace, reproducing every environment's snapshot and every flag's evaluations", async () => {
    const target = await emptyWorkspace();
    const marked = { ...doc, environments: doc.environments.map((e) => (e.key === "qa" ? { ...e, isProduction: true } : e)) };
    const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${target.ws.slug}/import`, headers: target.headers, payload: { document: marked, mode: "empty-only" } });
    expect(res.statusCode).toBe(200);
    const importedEnvironments = await t.db.prisma.environment.findMany({ where: { workspaceId: target.ws.id }, orderBy: { sortOrder: "asc" } });
    expect(importedEnvironments.filter((e) => e.isProduction).map((e) => e.key)).toEqual(["qa"]);
    expect(res.json().summary).toEqual({
      environments: { created: 1, updated: 3 },
      modules: 2,
      flags: 6,
      flagStates: 24,
      rules: 6,
      schedules: 3,
      segments: 2,
      tenants: 4,
      tenantModules: 2,
      tenantOverrides: 2,
      userOverrides: 2,
      identities: 2,
      overrideLayers: 2,
      layerOverrides: 3,
    });

    for (const env of rich.environments) {
      const source = await snapshotFromDb(t.db, rich.ws.id, env);
      const imported = await snapshotFromDb(t.db, target.ws.id, env);
      expect(comparable(imported)).toEqual(comparable(source));
      const evaluations = evaluationsOf(source, CONTEXTS, NOW);
      expect(evaluationsOf(imported, CONTEXTS, NOW)).toEqual(evaluations);
      if (env === "production") {
        const decisions = new Set(evaluations.map((e) => `${e.key} ${e.detail}`));
        for (const rule of [0, 1, 2, 3]) expect(decisions).toContain(`fin_invoices RULE:fin_invoices#${rule}`);
        for (const detail of ["USER_OVERRIDE", "TENANT_DENY", "TENANT_OVERRIDE_LOCKED", "FALLTHROUGH"]) expect(decisions).toContain(`fin_invoices ${detail}`);
        for (const detail of ["LAYER_OVERRIDE:platform", "LAYER_OVERRIDE_LOCKED:platform", "LAYER_OVERRIDE:region"]) expect(decisions).toContain(`fin_invoices ${detail}`);
        expect(imported.precedence).toEqual(["user", "region", "platform", "tenant", "rules"]);
        expect(decisions).toContain("checkout_variant MODULE_DISABLED");
        expect([...new Set(evaluations.map((e) => e.reason))]).toEqual(expect.arrayContaining(["TARGETING_MATCH", "SPLIT", "DISABLED", "DEFAULT"]));
      }
      const sourceRuleIds = new Set(source.flags.flatMap((f) => f.state.rules.map((r) => r.id)));
      expect(imported.flags.flatMap((f) => f.state.rules.map((r) => r.id)).filter((id) => sourceRuleIds.has(id))).toEqual([]);
    }

    // The new workspace exports to the same document: nothing lost, nothing added.
    const again = await t.app.inject({ method: "GET", url: `/v1/workspaces/${target.ws.slug}/export`, headers: target.headers });
    expect(sameContent(again.json())).toEqual(sameContent(marked));

    const fresh = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: target.ws.id, key: "qa" } });
    expect(rich.contextSecrets).not.toContain(fresh.contextSecret);
    expect(await t.db.prisma.apiKey.count({ where: { workspaceId: target.ws.id } })).toBe(0);
    const rampIds = new Set((await t.db.prisma.schedule.findMany({ where: { workspaceId: target.ws.id, rampId: { not: null } } })).map((s) => s.rampId));
    expect(rampIds.size).toBe(1);

    const entries = await t.db.prisma.auditEntry.findMany({ where: { workspaceId: target.ws.id, action: { not: "workspace.exported" } } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "workspace.imported", actorRole: "owner", after: { source: rich.ws.slug, flags: 6, tenants: 4 } });
  });

  it("refuses a workspace that is not empty, changing nothing", async () => {
    const target = await emptyWorkspace();
    await t.db.prisma.tenant.create({ data: { workspaceId: target.ws.id, key: "already-here", name: "Here" } });
    const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${target.ws.slug}/import`, headers: target.headers, payload: { document: doc, mode: "empty-only" } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.details.present).toMatchObject({ tenants: 1, flags: 0 });
    expect(await t.db.prisma.flag.count({ where: { workspaceId: target.ws.id } })).toBe(0);
    expect(await t.db.prisma.environment.count({ where: { workspaceId: target.ws.id } })).toBe(3);
    expect(await t.db.prisma.auditEntry.count({ where: { workspaceId: target.ws.id } })).toBe(0);
  });

  it("names every broken reference of a document", async () => {
    const target = await emptyWorkspace();
    const broken = structuredClone(doc);
    broken.flags[1]!.module = "NOPE";
    broken.flags[1]!.offVariant = "maybe";
    broken.flags[1]!.states.production!.rules[3]!.conditions[4]!.values = ["ghost-segment"];
    broken.flags[0]!.dependsOn = ["checkout_variant"];
    broken.tenantOverrides[0]!.tenant = "nobody";
    broken.identities[0]!.environment = "moon";
    broken.flags[3]!.variants[0]!.value = "ten";
    broken.layerOverrides[0]!.value = "myspace";
    broken.layerOverrides[1]!.layer = "nolayer";
    broken.overrideOrder = ["user", "tenant", "rules"];
    const res = await t.app.inject({ method: "POST", url: `/v1/workspaces/${target.ws.slug}/import`, headers: target.headers, payload: { document: broken, mode: "empty-only" } });
    expect(issuePaths(res)).toEqual(
      expect.arrayContaining([
        "body.document.flags.1.module",
        "body.document.flags.1.offVariant",
        "body.document.flags.1.states.production.rules.3.conditions.4.values.0",
        "body.document.flags.0.dependsOn.0",
        "body.document.flags",
        "body.document.tenantOverrides.0.tenant",
        "body.document.identities.0.environment",
        "body.document.flags.3.variants.0.value",
        "body.document.layerOverrides.0.value",
        "body.document.layerOverrides.1.layer",
        "body.document.overrideOrder",
      ]),
    );
    const wrongFormat = await t.app.inject({ method: "POST", url: `/v1/workspaces/${target.ws.slug}/import`, headers: target.headers, payload: { document: { ...doc, formatVersion: 2 }, mode: "merge" } });
    expect(issuePaths(wrongFormat)).toEqual(expect.arrayContaining(["body.document.formatVersion", "body.mode"]));
    expect(await t.db.prisma.flag.count({ where: { workspaceId: target.ws.id } })).toBe(0);
  });

  it("checks both routes' roles", async () => {
    const tenant = await t.db.prisma.tenant.findFirstOrThrow({ where: { workspaceId: rich.ws.id } });
    const headers = { owner } as Record<Caller, Headers>;
    for (const role of ["admin", "editor", "viewer"] as const) headers[role] = await memberHeaders(t.app, t.db, rich.ws.id, role);
    headers.tenant_admin = await memberHeaders(t.app, t.db, rich.ws.id, "tenant_admin", tenant.id);
    headers.outsider = (await emptyWorkspace()).headers;
    await expectRoleMatrix(t, headers, [
      { name: "export", method: "GET", url: `/v1/workspaces/${rich.ws.slug}/export`, allowed: ["owner", "admin"], allowedStatus: 200 },
      { name: "import", method: "POST", url: `/v1/workspaces/${rich.ws.slug}/import`, payload: { mode: "empty-only" }, allowed: ["owner", "admin"], allowedStatus: 400 },
    ]);
  });

  it("keeps every secret out of the audit log", async () => {
    const audit = await allAuditText(t);
    expect(audit).not.toContain(rich.apiKeySecret);
    for (const secret of rich.contextSecrets) expect(audit).not.toContain(secret);
    await expectCompleteAudit(t, rich.ws.id, [rich.apiKeySecret, ...rich.contextSecrets]);
  });

  it("answers malformed input with a 4xx", async () => {
    const target = await emptyWorkspace();
    const url = `/v1/workspaces/${target.ws.slug}/import`;
    await expectNo5xx(t, target.headers, [
      { method: "POST", url, payload: { document: "{}", mode: "empty-only" } },
      { method: "POST", url, payload: { document: { ...doc, flags: [{ key: unique("x") }] }, mode: "empty-only" } },
      { method: "POST", url, payload: { document: { ...doc, environments: [] }, mode: "empty-only" } },
      { method: "POST", url, payload: { document: { ...doc, tenants: [...doc.tenants, doc.tenants[0]] }, mode: "empty-only" } },
      { method: "POST", url, payload: "[]", headers: { "content-type": "application/json" } },
    ]);
    expect(await t.db.prisma.tenant.count({ where: { workspaceId: target.ws.id } })).toBe(0);
  });
});
