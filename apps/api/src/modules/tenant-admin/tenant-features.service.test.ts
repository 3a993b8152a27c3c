import type { TenantFeature } from "@ensign/contracts/tenant-admin";
import type { TenantFlagValue } from "@ensign/contracts/tenants";
import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, memoryReading, recordingWriter } from "../../../test/helpers/recording-writer";
import { NOW, production, recordingLimits, staging, tenantAdmin, versionedWrites, WS } from "../../../test/helpers/service-fixtures";
import type { WorkspaceScope } from "../../infra/auth";
import type { TenantOverrideData } from "../overrides/overrides.repository";
import type { TenantEvaluation, TenantEvaluationView } from "../snapshots/tenant-evaluation";
import type { FeatureRow, ModuleRow, TenantOverrideRow } from "./tenant-admin.repository";
import type { TenantFeaturesRepository } from "./tenant-features.repository";
import { createTenantFeaturesService } from "./tenant-features.service";

interface State {
  enabled: boolean;
  tenantAllow: string[];
  tenantDeny: string[];
}

/** A flag as the fake stores it: its row without states, its state per environment, and what it serves when nothing targets the tenant. */
interface StoredFlag {
  row: Omit<FeatureRow, "states">;
  states: Record<string, State>;
  isFallthroughOn: boolean;
  isArchived: boolean;
}

type StoredOverride = TenantOverrideRow & { workspaceId: string; tenantId: string; environmentId: string; updatedBy: string | null };

interface StoredTenant {
  workspaceId: string;
  id: string;
  key: string;
  name: string;
}

const modules: Record<string, ModuleRow> = {
  FIN: { id: "mod-fin", key: "FIN", name: "Finance", tenantManageable: true },
  STR: { id: "mod-str", key: "STR", name: "Short-term rental", tenantManageable: true },
  CORE: { id: "mod-core", key: "CORE", name: "Core", tenantManageable: false },
};

function flag(key: string, options: Partial<FeatureRow> & { module?: ModuleRow | null; isFallthroughOn?: boolean; isArchived?: boolean; state?: Partial<State> } = {}): StoredFlag {
  const { module = null, isFallthroughOn = false, isArchived = false, state = {}, ...row } = options;
  const full: State = { enabled: true, tenantAllow: [], tenantDeny: [], ...state };
  return {
    row: {
      id: `flag-${key}`,
      key,
      name: key.replaceAll("_", " "),
      description: "",
      type: "boolean",
      offVariant: "off",
      onVariant: "on",
      isBeta: false,
      tenantManageable: true,
      feedbackUrl: null,
      dependsOn: [],
      deprecatedAt: null,
      module: module ? { key: module.key, name: module.name, tenantManageable: module.tenantManageable } : null,
      ...row,
    },
    states: { "env-production": full, "env-staging": { ...full } },
    isFallthroughOn,
    isArchived,
  };
}

/**
 * One workspace in memory (and a tenant of another): environments, modules, flags with their
 * states, tenants with their module switches, and tenant overrides. The evaluation reads the same
 * data, deciding as the evaluator does for what these tests use: kill switch, deny list, module,
 * override, allow list, then the flag's default.
 */
function fakeWorkspace(flags: StoredFlag[]) {
  const environments = [production, staging];
  const tenants: StoredTenant[] = [
    { workspaceId: WS, id: "tenant-goodwin", key: "goodwin", name: "Goodwin" },
    { workspaceId: WS, id: "tenant-harbor", key: "harbor", name: "Harbor" },
    { workspaceId: "ws-other", id: "tenant-foreign", key: "foreign", name: "Foreign" },
  ];
  const overrides: StoredOverride[] = [];
  const switches = new Map<string, boolean>();
  const switchKey = (tenantId: string, moduleId: string) => `${tenantId}/${moduleId}`;
  let ids = 0;

  const disabledModules = (tenantId: string) =>
    Object.values(modules)
      .filter((m) => switches.get(switchKey(tenantId, m.id)) === false)
      .map((m) => ({ module: { key: m.key } }));
  const liveOverride = (tenantId: string, environmentId: string, flagId: string) =>
    overrides.find((o) => o.tenantId === tenantId && o.environmentId === environmentId && o.flagId === flagId && (o.expiresAt === null || o.expiresAt.getTime() > NOW));

  const repo: TenantFeaturesRepository = {
    async findEnvironment(_tx, workspaceId, key) {
      return workspaceId === WS ? (environments.find((e) => e.key === key) ?? null) : null;
    },
    async findTenant(_tx, workspaceId, tenantId) {
      const tenant = tenants.find((t) => t.workspaceId === workspaceId && t.id === tenantId);
      return tenant ? { id: tenant.id, key: tenant.key, name: tenant.name, modules: disabledModules(tenant.id) } : null;
    },
    async features(_tx, workspaceId, environmentId) {
      if (workspaceId !== WS) return [];
      return flags
        .filter((f) => !f.isArchived)
        .map((f) => ({ ...f.row, states: [{ ...f.states[environmentId]! }] }))
        .sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
    },
    async overridesOf(_tx, workspaceId, tenantId, environmentId) {
      return overrides
        .filter((o) => o.workspaceId === workspaceId && o.tenantId === tenantId && o.environmentId === environmentId)
        .map(({ id, flagId, variant, source, locked, expiresAt, version }) => ({ id, flagId, variant, source, locked, expiresAt, version }));
    },
    async findModule(_tx, workspaceId, key) {
      return workspaceId === WS ? (modules[key] ?? null) : null;
    },
    async moduleSwitch(_tx, _workspaceId, tenantId, moduleId) {
      return switches.get(switchKey(tenantId, moduleId)) ?? true;
    },
    async setModuleSwitch(_tx, _workspaceId, tenantId, moduleId, enabled) {
      switches.set(switchKey(tenantId, moduleId), enabled);
    },
    async createOverride(_tx, workspaceId, key, data) {
      if (overrides.some((o) => o.tenantId === key.tenantId && o.environmentId === key.environmentId && o.flagId === key.flagId)) throw new Error("unique violation");
      const row: StoredOverride = { id: `to-${++ids}`, workspaceId, ...key, ...data, version: 1 };
      overrides.push(row);
      return { id: row.id };
    },
    updateOverride: versionedWrites(overrides).update,
  };

  const evaluation: Pick<TenantEvaluation, "load"> = {
    async load(_tx, workspaceId, environment) {
      const serve = (stored: StoredFlag, variant: string, detail: string): TenantFlagValue => ({
        value: variant === stored.row.onVariant,
        variant,
        reason: detail === "FALLTHROUGH" ? "STATIC" : "TARGETING_MATCH",
        detail,
        isOn: variant !== stored.row.offVariant,
      });
      const view: TenantEvaluationView = {
        environment: { id: environment.id, key: environment.key },
        flagKeys: flags.filter((f) => !f.isArchived).map((f) => f.row.key),
        valueOf(tenantKey, flagKey) {
          const stored = flags.find((f) => f.row.key === flagKey)!;
          const tenant = tenants.find((t) => t.workspaceId === workspaceId && t.key === tenantKey)!;
          const state = stored.states[environment.id]!;
          const { onVariant, offVariant } = stored.row;
          if (!state.enabled) return { ...serve(stored, offVariant, "DISABLED"), reason: "DISABLED" };
          if (state.tenantDeny.includes(tenantKey)) return serve(stored, offVariant, "TENANT_DENY");
          if (stored.row.module && switches.get(switchKey(tenant.id, modules[stored.row.module.key]!.id)) === false) return serve(stored, offVariant, "MODULE_DISABLED");
          const override = liveOverride(tenant.id, environment.id, stored.row.id);
          if (override) return serve(stored, override.variant, "TENANT_OVERRIDE");
          if (state.tenantAllow.includes(tenantKey)) return serve(stored, onVariant, "TENANT_ALLOW");
          return serve(stored, stored.isFallthroughOn ? onVariant : offVariant, "FALLTHROUGH");
        },
        isOnFor(tenantKey, flagKey) {
          return view.valueOf(tenantKey, flagKey).isOn;
        },
        valuesOf() {
          throw new Error("the tenant admin's features read values one by one");
        },
      };
      return view;
    },
  };

  /** An override set by the workspace's admins. */
  function setByWorkspace(tenantId: string, flagKey: string, variant: string, options: Partial<TenantOverrideData> = {}) {
    const stored = flags.find((f) => f.row.key === flagKey)!;
    overrides.push({
      id: `to-${++ids}`,
      workspaceId: WS,
      tenantId,
      environmentId: "env-production",
      flagId: stored.row.id,
      variant,
      source: "workspace_admin",
      locked: false,
      expiresAt: null,
      updatedBy: "admin@example.test",
      version: 1,
      ...options,
    });
  }

  return { repo, evaluation, overrides, switches, flags, setByWorkspace };
}

const scopeOf = (tenantId: string | null, workspaceId = WS): WorkspaceScope => ({
  workspaceId,
  workspaceSlug: "acme",
  workspaceName: "Acme",
  role: "tenant_admin",
  tenantId,
});

describe("tenant features service", () => {
  const goodwin = scopeOf("tenant-goodwin");
  let ws: ReturnType<typeof fakeWorkspace>;
  let writer: ReturnType<typeof recordingWriter>;
  let limited: string[][];
  let service: ReturnType<typeof createTenantFeaturesService>;
  const byKey = (features: TenantFeature[]) => Object.fromEntries(features.map((f) => [f.key, f]));

  beforeEach(() => {
    ws = fakeWorkspace([
      flag("fin_extraction", { name: "AI Extraction", module: modules.FIN, isFallthroughOn: true, description: "Reads invoices" }),
      flag("fin_duplicates", { name: "Duplicates", module: modules.FIN, isFallthroughOn: true, dependsOn: ["fin_extraction"] }),
      flag("str_pricing", { name: "Pricing", module: modules.STR }),
      flag("str_events", { name: "Event Pricing", module: modules.STR, dependsOn: ["str_pricing"] }),
      flag("core_billing", { name: "Billing", module: modules.CORE }),
      flag("export", { name: "Export" }),
      flag("managed", { name: "Managed", tenantManageable: false }),
      flag("pinned", { name: "Pinned" }),
      flag("denied", { name: "Denied", isFallthroughOn: true, state: { tenantDeny: ["goodwin"] } }),
      flag("allowed", { name: "Allowed", state: { tenantAllow: ["goodwin"] } }),
      flag("killed", { name: "Killed", state: { enabled: false } }),
      flag("old_reports", { name: "Old Reports", deprecatedAt: new Date(NOW - 1000) }),
      flag("gone", { name: "Gone", isArchived: true }),
    ]);
    ws.setByWorkspace("tenant-goodwin", "pinned", "off", { locked: true });
    writer = recordingWriter();
    const { limits, checked } = recordingLimits();
    limited = checked;
    service = createTenantFeaturesService({ reading: memoryReading, writing: writer.writer, repo: ws.repo, evaluation: ws.evaluation, limits, now: () => NOW });
  });

  it("lists the tenant's live features in production by default, grouped by module with General last, each module's switch and manageability", async () => {
    ws.switches.set("tenant-goodwin/mod-str", false);
    const listed = await service.list(goodwin, {});
    expect({ workspace: listed.workspace, tenant: listed.tenant, environment: listed.environment }).toEqual({
      workspace: { slug: "acme", name: "Acme" },
      tenant: { key: "goodwin", name: "Goodwin" },
      environment: "production",
    });
    expect(listed.modules.map((m) => [m.key, m.name, m.enabled, m.tenantManageable])).toEqual([
      ["CORE", "Core", true, false],
      ["FIN", "Finance", true, true],
      ["STR", "Short-term rental", false, true],
      [null, "General", true, false],
    ]);
    const features = byKey(listed.modules.flatMap((m) => m.features));
    expect(Object.keys(features)).not.toContain("gone");
    expect(features.fin_duplicates).toMatchObject({ enabled: true, dependencies: [{ key: "fin_extraction", name: "AI Extraction", isMet: true }], canToggle: true });
    expect(features.fin_extraction).toMatchObject({ enabled: true, dependants: ["fin_duplicates"] });
    expect(features.str_pricing).toMatchObject({ moduleEnabled: false, canToggle: false, blockedBy: "MODULE_DISABLED" });

    const search = await service.list(goodwin, { search: "INVOICES" });
    expect(search.modules.flatMap((m) => m.features.map((f) => f.key))).toEqual(["fin_extraction"]);
    const general = await service.list(goodwin, { module: "none" });
    expect(general.modules.map((m) => m.key)).toEqual([null]);
    expect(await codeOf(service.list(goodwin, { env: "qa" }))).toBe("VALIDATION_FAILED");
  });

  it("refuses a membership bound to no tenant, or to a tenant that is gone or in another workspace, writing nothing", async () => {
    for (const scope of [scopeOf(null), scopeOf("tenant-removed"), scopeOf("tenant-foreign")]) {
      expect(await codeOf(service.list(scope, {}))).toBe("FORBIDDEN");
      expect(await codeOf(service.get(scope, undefined, "export"))).toBe("FORBIDDEN");
      expect(await codeOf(service.toggle(scope, undefined, "export", { enabled: true }, undefined, tenantAdmin))).toBe("FORBIDDEN");
      expect(await codeOf(service.toggleModule(scope, "FIN", { enabled: false }, tenantAdmin))).toBe("FORBIDDEN");
    }
    expect(ws.overrides).toHaveLength(1);
    expect(ws.switches.size).toBe(0);
    expect(writer.committed).toEqual({ audit: [], bumped: [] });
  });

  it("switches a feature on for the caller's tenant only: an unlocked tenant-admin override, checked against the environment's limits, audited as the tenant admin, bumped in its environment only", async () => {
    const feature = await service.toggle(goodwin, undefined, "export", { enabled: true }, undefined, tenantAdmin);
    expect(feature).toMatchObject({ key: "export", enabled: true, override: { variant: "on", source: "tenant_admin", locked: false, expiresAt: null }, version: 1 });
    expect(ws.overrides.at(-1)).toMatchObject({
      tenantId: "tenant-goodwin",
      environmentId: "env-production",
      flagId: "flag-export",
      variant: "on",
      source: "tenant_admin",
      locked: false,
      expiresAt: null,
      updatedBy: tenantAdmin.email,
    });
    expect(limited).toEqual([["env-production"]]);
    expect(writer.committed.bumped).toEqual([["env-production"]]);
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({
        actor: tenantAdmin,
        workspaceId: WS,
        environment: expect.objectContaining({ id: "env-production", key: "production" }),
        tenant: expect.objectContaining({ id: "tenant-goodwin", key: "goodwin" }),
        action: "tenant_feature.enabled",
        targetType: "tenant_override",
        targetKey: "export",
        before: null,
        after: { variant: "on", locked: false, source: "tenant_admin", expiresAt: null },
      }),
    ]);
    // Another tenant of the workspace still follows the flag.
    expect((await service.get(scopeOf("tenant-harbor"), undefined, "export")).enabled).toBe(false);

    const inStaging = await service.toggle(goodwin, "staging", "export", { enabled: true }, undefined, tenantAdmin);
    expect(inStaging.enabled).toBe(true);
    expect(writer.committed.bumped.at(-1)).toEqual(["env-staging"]);
  });

  it("switches back with the feature's version (If-Match optional), auditing before and after; the same choice again writes nothing", async () => {
    await service.toggle(goodwin, undefined, "export", { enabled: true }, undefined, tenantAdmin);
    expect(await codeOf(service.toggle(goodwin, undefined, "export", { enabled: false }, 5, tenantAdmin))).toBe("VERSION_MISMATCH");
    const off = await service.toggle(goodwin, undefined, "export", { enabled: false }, 1, tenantAdmin);
    expect({ enabled: off.enabled, variant: off.override?.variant, version: off.version }).toEqual({ enabled: false, variant: "off", version: 2 });
    expect(writer.committed.audit.at(-1)).toMatchObject({
      action: "tenant_feature.disabled",
      before: { variant: "on", locked: false, source: "tenant_admin", expiresAt: null },
      after: { variant: "off", locked: false, source: "tenant_admin", expiresAt: null },
    });
    // Replacing never grows the environment: only the creation was checked against its limits.
    expect(limited).toHaveLength(1);

    const again = await service.toggle(goodwin, undefined, "export", { enabled: false }, undefined, tenantAdmin);
    expect(again.version).toBe(2);
    expect(writer.committed.audit).toHaveLength(2);
    expect(writer.committed.bumped).toHaveLength(2);
  });

  it("refuses what the workspace's admins keep for themselves, writing nothing", async () => {
    ws.switches.set("tenant-goodwin/mod-str", false);
    const refused = async (key: string, enabled: boolean) => codeOf(service.toggle(goodwin, undefined, key, { enabled }, undefined, tenantAdmin));
    expect(await refused("managed", true)).toBe("FEATURE_NOT_MANAGEABLE");
    expect(await refused("pinned", true)).toBe("FEATURE_LOCKED");
    expect(await refused("denied", true)).toBe("FEATURE_LOCKED");
    expect(await refused("allowed", false)).toBe("FEATURE_LOCKED");
    expect(await refused("str_pricing", true)).toBe("MODULE_DISABLED");
    expect(await refused("killed", true)).toBe("FEATURE_DISABLED");
    expect(await refused("old_reports", true)).toBe("FLAG_DEPRECATED");
    ws.switches.set("tenant-goodwin/mod-str", true);
    expect(await refused("str_events", true)).toBe("DEPENDENCY_NOT_MET");
    expect(await refused("gone", true)).toBe("NOT_FOUND");
    expect(ws.overrides).toHaveLength(1);
    expect(limited).toEqual([]);
    expect(writer.committed).toEqual({ audit: [], bumped: [] });
  });

  it("asks for force to switch off what others depend on, and records the dependants it went past", async () => {
    expect(await codeOf(service.toggle(goodwin, undefined, "fin_extraction", { enabled: false }, undefined, tenantAdmin))).toBe("HAS_DEPENDANTS");
    expect(ws.overrides).toHaveLength(1);
    const off = await service.toggle(goodwin, undefined, "fin_extraction", { enabled: false, force: true }, undefined, tenantAdmin);
    expect(off.enabled).toBe(false);
    expect(writer.committed.audit).toEqual([expect.objectContaining({ action: "tenant_feature.disabled", after: expect.objectContaining({ variant: "off", forcedPast: ["fin_duplicates"] }) })]);
  });

  it("never sees or counts another tenant's overrides", async () => {
    ws.setByWorkspace("tenant-harbor", "export", "on", { locked: true });
    const feature = await service.get(goodwin, undefined, "export");
    expect({ enabled: feature.enabled, locked: feature.locked, override: feature.override, version: feature.version }).toEqual({ enabled: false, locked: false, override: null, version: 0 });
    await service.toggle(goodwin, undefined, "export", { enabled: true }, 0, tenantAdmin);
    expect(ws.overrides.filter((o) => o.flagId === "flag-export").map((o) => [o.tenantId, o.source, o.locked, o.version])).toEqual([
      ["tenant-harbor", "workspace_admin", true, 1],
      ["tenant-goodwin", "tenant_admin", false, 1],
    ]);
  });

  it("switches a tenant-manageable module for the caller's tenant, audited and bumped in every environment; others are the workspace's", async () => {
    expect(await codeOf(service.toggleModule(goodwin, "NOPE", { enabled: false }, tenantAdmin))).toBe("NOT_FOUND");
    expect(await codeOf(service.toggleModule(goodwin, "CORE", { enabled: false }, tenantAdmin))).toBe("FEATURE_NOT_MANAGEABLE");
    expect(ws.switches.size).toBe(0);

    expect(await service.toggleModule(goodwin, "FIN", { enabled: false }, tenantAdmin)).toEqual({ key: "FIN", name: "Finance", enabled: false, tenantManageable: true });
    expect([...ws.switches]).toEqual([["tenant-goodwin/mod-fin", false]]);
    expect(writer.committed.audit).toEqual([
      expect.objectContaining({
        actor: tenantAdmin,
        tenant: expect.objectContaining({ id: "tenant-goodwin", key: "goodwin" }),
        action: "tenant_module.disabled",
        targetType: "tenant_module",
        targetId: "mod-fin",
        targetKey: "FIN",
        before: { enabled: true },
        after: { enabled: false },
      }),
    ]);
    expect(writer.committed.bumped).toEqual([["*"]]);
    expect((await service.get(goodwin, undefined, "fin_extraction")).moduleEnabled).toBe(false);

    await service.toggleModule(goodwin, "FIN", { enabled: false }, tenantAdmin);
    expect(writer.committed.audit).toHaveLength(1);
    expect(writer.committed.bumped).toHaveLength(1);
  });
});
