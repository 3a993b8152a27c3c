import type { TenantFeature, TenantFeaturesQuery, TenantFeaturesResponse, TenantModuleResponse, ToggleFeatureBody, ToggleModuleBody } from "@ensign/contracts/tenant-admin";
import type { Actor } from "../../infra/audit";
import type { WorkspaceScope } from "../../infra/auth";
import type { Reader, Tx } from "../../infra/db/scoped";
import { AppError, forbidden, invalid, notFound } from "../../infra/errors";
import type { EnvironmentLimitsChecker } from "../../infra/environment-limits";
import { translating } from "../../infra/prisma-errors";
import { staleVersion } from "../../infra/versioning";
import { overrideSnapshot } from "../overrides/overrides.rules";
import type { TenantEvaluation } from "../snapshots/tenant-evaluation";
import type { Writer } from "../../infra/writer";
import { buildFeatures, refusal } from "./tenant-features.model";
import type { TenantFeaturesRepository } from "./tenant-features.repository";

export interface TenantFeaturesServiceDeps {
  reading: Reader;
  writing: Writer;
  repo: TenantFeaturesRepository;
  evaluation: Pick<TenantEvaluation, "load">;
  limits: Pick<EnvironmentLimitsChecker, "assertEnvironments">;
  now?: () => number;
}

export const DEFAULT_TENANT_ENVIRONMENT = "production";

/**
 * A tenant admin's features: every live flag as their tenant gets it, grouped by module, and
 * their own on/off choices, which are unlocked tenant overrides with source `tenant_admin`.
 * Everything is read for, and written to, the one tenant of the caller's membership.
 */
export function createTenantFeaturesService({ reading, writing, repo, evaluation, limits, now = Date.now }: TenantFeaturesServiceDeps) {
  async function load(tx: Tx, scope: WorkspaceScope, envKey: string | undefined, options: { isAfterWrite?: boolean } = {}) {
    if (!scope.tenantId) throw forbidden("Your membership is not bound to a tenant.");
    const key = envKey ?? DEFAULT_TENANT_ENVIRONMENT;
    const environment = await repo.findEnvironment(tx, scope.workspaceId, key);
    if (!environment) throw invalid(`No environment '${key}'.`, [{ path: "querystring.env", message: `no environment '${key}' in this workspace` }]);
    const tenant = await repo.findTenant(tx, scope.workspaceId, scope.tenantId);
    if (!tenant) throw forbidden("Your tenant no longer exists.");
    const rows = await repo.features(tx, scope.workspaceId, environment.id);
    const overrides = await repo.overridesOf(tx, scope.workspaceId, tenant.id, environment.id);
    const view = await evaluation.load(tx, scope.workspaceId, environment, { tenantKeys: [tenant.key] }, { isInTransaction: options.isAfterWrite });
    const features = buildFeatures({
      tenantKey: tenant.key,
      rows,
      overrides: new Map(overrides.map((o) => [o.flagId, o])),
      disabledModules: new Set(tenant.modules.map((m) => m.module.key)),
      view,
      now: now(),
    });
    return { environment, tenant, rows, overrides, features };
  }

  function featureOf(features: TenantFeature[], key: string): TenantFeature {
    const feature = features.find((f) => f.key === key);
    if (!feature) throw notFound(`Feature '${key}'`);
    return feature;
  }

  return {
    async list(scope: WorkspaceScope, query: TenantFeaturesQuery): Promise<TenantFeaturesResponse> {
      return reading(scope.workspaceId, async (tx) => {
        const { environment, tenant, rows, features } = await load(tx, scope, query.env);
        const modulesByKey = new Map(rows.flatMap((row) => (row.module ? [[row.module.key, row.module] as const] : [])));
        const disabled = new Set(tenant.modules.map((m) => m.module.key));
        const search = query.search?.toLowerCase();
        const shown = features.filter(
          (f) =>
            (query.module === undefined || (f.module ?? "none") === query.module) &&
            (!search || [f.key, f.name, f.description].some((text) => text.toLowerCase().includes(search))),
        );
        const groups = new Map<string | null, TenantFeature[]>();
        for (const feature of shown) groups.set(feature.module, [...(groups.get(feature.module) ?? []), feature]);
        const modules = [...groups.entries()]
          .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
          .map(([key, list]) => ({
            key,
            name: key === null ? "General" : (modulesByKey.get(key)?.name ?? key),
            enabled: key === null || !disabled.has(key),
            tenantManageable: key !== null && (modulesByKey.get(key)?.tenantManageable ?? false),
            features: list,
          }));
        return { workspace: { slug: scope.workspaceSlug, name: scope.workspaceName }, tenant: { key: tenant.key, name: tenant.name }, environment: environment.key, modules };
      });
    },

    /**
     * Switches a module on or off for the caller's tenant, when the workspace lets tenant admins
     * manage that module; audited as the workspace admins' module switches are.
     */
    async toggleModule(scope: WorkspaceScope, moduleKey: string, body: ToggleModuleBody, actor: Actor): Promise<TenantModuleResponse> {
      if (!scope.tenantId) throw forbidden("Your membership is not bound to a tenant.");
      const tenantId = scope.tenantId;
      return writing(scope.workspaceId, async (tx, w) => {
        const module = await repo.findModule(tx, scope.workspaceId, moduleKey);
        if (!module) throw notFound(`Module '${moduleKey}'`);
        const tenant = await repo.findTenant(tx, scope.workspaceId, tenantId);
        if (!tenant) throw forbidden("Your tenant no longer exists.");
        const response = { key: module.key, name: module.name, enabled: body.enabled, tenantManageable: module.tenantManageable };
        if (!module.tenantManageable) {
          throw new AppError("FEATURE_NOT_MANAGEABLE", `Module '${module.name}' (${module.key}) is managed by the workspace admins; tenant admins cannot switch it.`);
        }
        const wasEnabled = await repo.moduleSwitch(tx, scope.workspaceId, tenant.id, module.id);
        if (wasEnabled === body.enabled) return response;
        await repo.setModuleSwitch(tx, scope.workspaceId, tenant.id, module.id, body.enabled);
        await w.audit(actor, {
          workspaceId: scope.workspaceId,
          tenant,
          action: body.enabled ? "tenant_module.enabled" : "tenant_module.disabled",
          targetType: "tenant_module",
          targetId: module.id,
          targetKey: module.key,
          before: { enabled: wasEnabled },
          after: { enabled: body.enabled },
        });
        await w.bump(undefined, { tenants: [tenant.id] });
        return response;
      });
    },

    async get(scope: WorkspaceScope, envKey: string | undefined, key: string): Promise<TenantFeature> {
      return reading(scope.workspaceId, async (tx) => featureOf((await load(tx, scope, envKey)).features, key));
    },

    /**
     * Switches a feature on or off for the tenant, within the workspace admins' limits (see
     * `refusal`). `expectedVersion` (If-Match, optional) is the feature's `version`.
     */
    async toggle(scope: WorkspaceScope, envKey: string | undefined, key: string, body: ToggleFeatureBody, expectedVersion: number | undefined, actor: Actor): Promise<TenantFeature> {
      return writing(scope.workspaceId, async (tx, w) => {
        const { environment, tenant, rows, overrides, features } = await load(tx, scope, envKey);
        const feature = featureOf(features, key);
        if (expectedVersion !== undefined && feature.version !== expectedVersion) throw staleVersion(`Feature '${key}'`, feature.version);
        const refused = refusal(feature, body.enabled, { isForced: body.force === true });
        if (refused) throw new AppError(refused.code, refused.message, refused.details ? { details: refused.details } : {});

        const row = rows.find((r) => r.key === key)!;
        const current = overrides.find((o) => o.flagId === row.id);
        const next = { variant: body.enabled ? row.onVariant : row.offVariant, locked: false, expiresAt: null, source: "tenant_admin" as const, updatedBy: actor.email ?? null };
        if (current && feature.override && current.variant === next.variant) return feature;
        let id: string;
        if (current) {
          if (!(await repo.updateOverride(tx, scope.workspaceId, current.id, current.version, next))) throw staleVersion(`Feature '${key}'`, current.version + 1);
          id = current.id;
        } else {
          const created = await translating(`The override of '${key}'`, () =>
            repo.createOverride(tx, scope.workspaceId, { flagId: row.id, environmentId: environment.id, tenantId: tenant.id }, next),
          );
          id = created.id;
          await limits.assertEnvironments(tx, [environment.id]);
        }
        await w.audit(actor, {
          workspaceId: scope.workspaceId,
          environment,
          tenant,
          action: body.enabled ? "tenant_feature.enabled" : "tenant_feature.disabled",
          targetType: "tenant_override",
          targetId: id,
          targetKey: key,
          before: overrideSnapshot(current),
          after: { ...overrideSnapshot(next), ...(refusal(feature, body.enabled, { isForced: false }) ? { forcedPast: feature.dependants } : {}) },
        });
        await w.bump([environment.id], { flags: [row.id] });
        return featureOf((await load(tx, scope, envKey, { isAfterWrite: true })).features, key);
      });
    },
  };
}

export type TenantFeaturesService = ReturnType<typeof createTenantFeaturesService>;
