import { ListTenantsQuery, type TenantFlagValue } from "@ensign/contracts/tenants";
import { beforeEach, describe, expect, it } from "vitest";
import { memoryReading, refusal } from "../../../test/helpers/recording-writer";
import { NOW, production, staging, WS } from "../../../test/helpers/service-fixtures";
import type { TenantEvaluation } from "../snapshots/tenant-evaluation";
import type { TenantFlagMeta, TenantOverrideMeta, TenantRow, TenantsQueryRepository } from "./tenants.repository";
import { createTenantsQueryService } from "./tenants-query.service";

const tenant = (key: string, modulesOff: string[] = []): TenantRow & { workspaceId: string } => ({
  workspaceId: WS,
  id: `tenant-${key}`,
  key,
  name: key,
  attributes: { plan: "pro" },
  version: 1,
  createdAt: new Date(NOW),
  updatedAt: new Date(NOW),
  modules: modulesOff.map((module) => ({ enabled: false, module: { key: module } })),
});

const flagMeta = (key: string): TenantFlagMeta => ({
  key,
  name: key,
  description: "",
  type: "boolean",
  variant_keys: ["on", "off"],
  on_variant: "on",
  off_variant: "off",
  module: null,
});

/** The repository in memory: tenants sorted by key, live flags (`legacy` is archived), modules and overrides. */
function fakeRepository() {
  const tenants = ["acme", "bolt", "cargo", "delta", "echo"].map((key) => tenant(key));
  tenants.push({ ...tenant("other"), workspaceId: "ws-other" });
  const live = ["checkout", "search"];
  const modules = [{ id: "mod-fin", key: "FIN", name: "Finance" }];
  const overrides: (TenantOverrideMeta & { tenantId: string; environmentId: string })[] = [];
  const environments = [staging, production];

  const matching = (workspaceId: string, search?: string) =>
    tenants.filter((t) => t.workspaceId === workspaceId && (!search || t.key.includes(search))).sort((a, b) => a.key.localeCompare(b.key));
  const strip = ({ workspaceId: _w, ...row }: TenantRow & { workspaceId: string }): TenantRow => structuredClone(row);

  const repo: TenantsQueryRepository = {
    async findByKey(_tx, workspaceId, key) {
      const found = matching(workspaceId).find((t) => t.key === key);
      return found ? strip(found) : null;
    },
    async pageKeys(_tx, workspaceId, filters, _sort, _order, skip, take) {
      const keys = matching(workspaceId, filters.search).map((t) => t.key);
      return { keys: keys.slice(skip, skip + take), total: keys.length };
    },
    async keys(_tx, workspaceId, filters) {
      return matching(workspaceId, filters.search).map((t) => t.key);
    },
    async byKeysInOrder(_tx, workspaceId, keys) {
      const rows = matching(workspaceId);
      return keys.flatMap((key) => rows.filter((t) => t.key === key).map(strip));
    },
    async overridesOf(_tx, _workspaceId, tenantId, environmentId) {
      return overrides.filter((o) => o.tenantId === tenantId && o.environmentId === environmentId).map(({ tenantId: _t, environmentId: _e, ...o }) => o);
    },
    async flagsMeta(_tx, workspaceId) {
      return workspaceId === WS ? live.map(flagMeta) : [];
    },
    async findEnvironment(_tx, workspaceId, key) {
      return workspaceId === WS ? (environments.find((e) => e.key === key) ?? null) : null;
    },
    async defaultEnvironment(_tx, workspaceId) {
      return workspaceId === WS ? production : null;
    },
    async isLiveFlag(_tx, workspaceId, key) {
      return workspaceId === WS && live.includes(key);
    },
    async liveFlagKeys(_tx, workspaceId, keys) {
      return new Set(workspaceId === WS ? keys.filter((key) => live.includes(key)) : []);
    },
    async findModule(_tx, workspaceId, key) {
      return workspaceId === WS ? (modules.find((m) => m.key === key) ?? null) : null;
    },
    async modules(_tx, workspaceId) {
      return workspaceId === WS ? modules : [];
    },
  };
  return { repo, tenants, overrides };
}

/** Evaluation in memory: a flag is on for the tenants listed under it in `on`, in whichever environment. */
function fakeEvaluation(on: Map<string, Set<string>>) {
  const loaded: { environment: string; flagKeys?: readonly string[]; tenantKeys?: readonly string[] }[] = [];
  const valueOf = (tenantKey: string, flagKey: string): TenantFlagValue => {
    const isOn = on.get(flagKey)?.has(tenantKey) ?? false;
    return { value: isOn, variant: isOn ? "on" : "off", reason: isOn ? "TARGETING_MATCH" : "DEFAULT", detail: isOn ? "RULE:1" : "FALLTHROUGH", isOn };
  };
  const evaluation: TenantEvaluation = {
    async load(_tx, _workspaceId, environment, scope) {
      loaded.push({ environment: environment.key, flagKeys: scope.flagKeys, tenantKeys: scope.tenantKeys });
      const flagKeys = ["checkout", "search"];
      return {
        environment: { id: environment.id, key: environment.key },
        flagKeys,
        valueOf,
        isOnFor: (tenantKey, flagKey) => valueOf(tenantKey, flagKey).isOn,
        valuesOf: (tenantKey) => Object.fromEntries(flagKeys.map((key) => [key, valueOf(tenantKey, key)])),
      };
    },
  };
  return { evaluation, loaded };
}

describe("tenants query service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let evaluated: ReturnType<typeof fakeEvaluation>;
  let service: ReturnType<typeof createTenantsQueryService>;

  const query = (params: Record<string, string | number>) => ListTenantsQuery.parse(params);
  const pathOf = async (promise: Promise<unknown>) => {
    const refused = await refusal(promise);
    return { code: refused.code, paths: (refused.details as { issues: { path: string }[] }).issues.map((i) => i.path) };
  };

  beforeEach(() => {
    fake = fakeRepository();
    evaluated = fakeEvaluation(new Map([["checkout", new Set(["bolt", "delta", "echo"])]]));
    service = createTenantsQueryService({ reading: memoryReading, repo: fake.repo, evaluation: evaluated.evaluation, now: () => NOW });
  });

  it("pages the workspace's tenants with every module's state", async () => {
    fake.tenants[1]!.modules = [{ enabled: false, module: { key: "FIN" } }];
    const page = await service.list(WS, query({ pageSize: 2, page: 1 }));
    expect({ total: page.total, keys: page.items.map((t) => t.key) }).toEqual({ total: 5, keys: ["acme", "bolt"] });
    expect(page.items.map((t) => t.modules)).toEqual([[{ key: "FIN", name: "Finance", enabled: true }], [{ key: "FIN", name: "Finance", enabled: false }]]);
    expect(page.items[0]!.flags).toBeUndefined();
    expect(evaluated.loaded).toEqual([]);
  });

  it("names the query field of an environment, module or flag the workspace does not have", async () => {
    expect(await pathOf(service.list(WS, query({ env: "qa", include: "flags" })))).toEqual({ code: "VALIDATION_FAILED", paths: ["querystring.env"] });
    expect(await pathOf(service.list(WS, query({ module: "HR", moduleState: "on" })))).toEqual({ code: "VALIDATION_FAILED", paths: ["querystring.module"] });
    expect(await pathOf(service.list(WS, query({ env: "staging", flags: "checkout,nope" })))).toEqual({ code: "VALIDATION_FAILED", paths: ["querystring.flags"] });
    const archived = await refusal(service.list(WS, query({ env: "staging", flag: "legacy", flagState: "on" })));
    expect(archived.details).toEqual({ issues: [{ path: "querystring.flag", message: "no flag 'legacy' in this workspace" }] });
    expect(await pathOf(service.list("ws-other", query({ env: "staging", include: "flags" })))).toEqual({ code: "VALIDATION_FAILED", paths: ["querystring.env"] });
  });

  it("filters by a flag's effective state over every matching tenant, then pages what matched", async () => {
    const on = await service.list(WS, query({ env: "staging", flag: "checkout", flagState: "on", pageSize: 2, page: 2 }));
    expect({ total: on.total, keys: on.items.map((t) => t.key) }).toEqual({ total: 3, keys: ["echo"] });
    expect(evaluated.loaded[0]).toEqual({ environment: "staging", flagKeys: ["checkout"], tenantKeys: ["acme", "bolt", "cargo", "delta", "echo"] });

    const off = await service.list(WS, query({ env: "staging", flag: "checkout", flagState: "off", search: "c" }));
    expect({ total: off.total, keys: off.items.map((t) => t.key) }).toEqual({ total: 2, keys: ["acme", "cargo"] });
  });

  it("adds the asked flags' effective values to each row, or every flag's with include=flags", async () => {
    const some = await service.list(WS, query({ env: "production", flags: "checkout", pageSize: 2 }));
    expect(some.items.map((t) => [t.key, Object.keys(t.flags!), t.flags!.checkout!.isOn])).toEqual([
      ["acme", ["checkout"], false],
      ["bolt", ["checkout"], true],
    ]);
    expect(evaluated.loaded.at(-1)).toEqual({ environment: "production", flagKeys: ["checkout"], tenantKeys: ["acme", "bolt"] });

    const all = await service.list(WS, query({ env: "production", include: "flags", pageSize: 1 }));
    expect(Object.keys(all.items[0]!.flags!)).toEqual(["checkout", "search"]);
    expect(evaluated.loaded.at(-1)).toEqual({ environment: "production", flagKeys: undefined, tenantKeys: ["acme"] });
  });

  it("shows a tenant's every live flag with its value, and its overrides, telling expired ones apart", async () => {
    fake.overrides.push(
      { tenantId: "tenant-bolt", environmentId: production.id, flag_key: "checkout", variant: "on", source: "tenant_admin", locked: false, expires_at: new Date(NOW), version: 3 },
      { tenantId: "tenant-bolt", environmentId: production.id, flag_key: "search", variant: "off", source: "workspace_admin", locked: true, expires_at: new Date(NOW + 1), version: 1 },
      { tenantId: "tenant-bolt", environmentId: staging.id, flag_key: "search", variant: "on", source: "workspace_admin", locked: false, expires_at: null, version: 1 },
    );
    const page = await service.detail(WS, "bolt", undefined);
    expect(page.environment).toBe("production");
    expect(page.flagValues.map((f) => [f.key, f.isOn, f.override && { variant: f.override.variant, isExpired: f.override.isExpired, locked: f.override.locked }])).toEqual([
      ["checkout", true, { variant: "on", isExpired: true, locked: false }],
      ["search", false, { variant: "off", isExpired: false, locked: true }],
    ]);
    expect(page.flagValues[0]).toMatchObject({ variants: ["on", "off"], onVariant: "on", offVariant: "off", override: { source: "tenant_admin", expiresAt: new Date(NOW).toISOString(), version: 3 } });

    const inStaging = await service.detail(WS, "bolt", "staging");
    expect(inStaging.flagValues.map((f) => [f.key, f.override?.variant ?? null])).toEqual([
      ["checkout", null],
      ["search", "on"],
    ]);
    expect((await refusal(service.detail(WS, "nobody", undefined))).code).toBe("NOT_FOUND");
    expect((await pathOf(service.detail(WS, "bolt", "qa"))).paths).toEqual(["querystring.env"]);
    expect((await refusal(service.detail("ws-other", "other", undefined))).code).toBe("NOT_FOUND");
  });
});
