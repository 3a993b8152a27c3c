import type { ListTenantsQuery, TenantDetailResponse, TenantListResponse, TenantResponse } from "@ensign/contracts/tenants";
import type { Reader, Tx } from "../../infra/db/scoped";
import { invalid, notFound } from "../../infra/errors";
import type { TenantEvaluation } from "../snapshots/tenant-evaluation";
import { toTenantResponse } from "./tenants.mapping";
import type { TenantsQueryRepository } from "./tenants.repository";

export interface TenantsQueryServiceDeps {
  reading: Reader;
  repo: TenantsQueryRepository;
  evaluation: TenantEvaluation;
  /** Milliseconds since the epoch: tells an expired override from a live one. */
  now?: () => number;
}

const badQuery = (field: string, message: string) => invalid(`The request is not valid: querystring.${field}.`, [{ path: `querystring.${field}`, message }]);

/**
 * Reading tenants: the filtered, sorted, paginated list (optionally by a flag's effective state
 * and with effective values per row) and a tenant's page with every flag's value and reason.
 */
export function createTenantsQueryService({ reading, repo, evaluation, now = Date.now }: TenantsQueryServiceDeps) {
  async function environmentOf(tx: Tx, workspaceId: string, key: string) {
    const environment = await repo.findEnvironment(tx, workspaceId, key);
    if (!environment) throw badQuery("env", `no environment '${key}' in this workspace`);
    return environment;
  }

  async function requireLiveFlag(tx: Tx, workspaceId: string, key: string, field: string) {
    if (!(await repo.isLiveFlag(tx, workspaceId, key))) throw badQuery(field, `no flag '${key}' in this workspace`);
  }

  return {
    async list(workspaceId: string, query: ListTenantsQuery): Promise<TenantListResponse> {
      return reading(workspaceId, async (tx) => {
        const environment = query.env === undefined ? undefined : await environmentOf(tx, workspaceId, query.env);
        let module: { id: string; isOn: boolean } | undefined;
        if (query.module !== undefined) {
          const found = await repo.findModule(tx, workspaceId, query.module);
          if (!found) throw badQuery("module", `no module '${query.module}' in this workspace`);
          module = { id: found.id, isOn: query.moduleState === "on" };
        }
        if (query.flags) {
          const live = await repo.liveFlagKeys(tx, workspaceId, query.flags);
          const missing = query.flags.filter((key) => !live.has(key));
          if (missing.length > 0) throw badQuery("flags", `no flag ${missing.map((key) => `'${key}'`).join(", ")} in this workspace`);
        }
        const filters = { search: query.search, attributes: query.attributes, module };
        const skip = (query.page - 1) * query.pageSize;

        let total: number;
        let keys: string[];
        if (query.flag !== undefined && environment) {
          await requireLiveFlag(tx, workspaceId, query.flag, "flag");
          const candidates = await repo.keys(tx, workspaceId, filters, query.sort, query.order);
          const view = await evaluation.load(tx, workspaceId, environment, { flagKeys: [query.flag], tenantKeys: candidates });
          const wantOn = query.flagState === "on";
          const matching = candidates.filter((key) => view.isOnFor(key, query.flag!) === wantOn);
          total = matching.length;
          keys = matching.slice(skip, skip + query.pageSize);
        } else {
          ({ keys, total } = await repo.pageKeys(tx, workspaceId, filters, query.sort, query.order, skip, query.pageSize));
        }
        const rows = keys.length === 0 ? [] : await repo.byKeysInOrder(tx, workspaceId, keys);

        const modules = await repo.modules(tx, workspaceId);
        const items: TenantResponse[] = rows.map((row) => toTenantResponse(row, modules));
        const wanted = query.include === "flags" ? undefined : query.flags;
        if (environment && (wanted !== undefined || query.include === "flags") && rows.length > 0) {
          const view = await evaluation.load(tx, workspaceId, environment, { flagKeys: wanted, tenantKeys: rows.map((row) => row.key) });
          for (const item of items) item.flags = wanted ? Object.fromEntries(wanted.map((key) => [key, view.valueOf(item.key, key)])) : view.valuesOf(item.key);
        }
        return { items, total, page: query.page, pageSize: query.pageSize };
      });
    },

    /** The tenant with its modules and every live flag's effective value and reason in one environment. */
    async detail(workspaceId: string, key: string, envKey: string | undefined): Promise<TenantDetailResponse> {
      return reading(workspaceId, async (tx) => {
        const row = await repo.findByKey(tx, workspaceId, key);
        if (!row) throw notFound(`Tenant '${key}'`);
        const environment = envKey === undefined ? await repo.defaultEnvironment(tx, workspaceId) : await environmentOf(tx, workspaceId, envKey);
        if (!environment) throw notFound("An environment");
        const modules = await repo.modules(tx, workspaceId);
        const flags = await repo.flagsMeta(tx, workspaceId);
        const overrides = await repo.overridesOf(tx, workspaceId, row.id, environment.id);
        const view = await evaluation.load(tx, workspaceId, environment, { tenantKeys: [row.key] });
        const values = view.valuesOf(row.key);
        const overrideOf = new Map(overrides.map((o) => [o.flag_key, o]));
        return {
          ...toTenantResponse(row, modules),
          environment: environment.key,
          flagValues: flags.map((flag) => {
            const override = overrideOf.get(flag.key);
            return {
              key: flag.key,
              name: flag.name,
              description: flag.description,
              type: flag.type,
              variants: flag.variant_keys,
              onVariant: flag.on_variant,
              offVariant: flag.off_variant,
              module: flag.module,
              ...(values[flag.key] ?? view.valueOf(row.key, flag.key)),
              override: override
                ? {
                    variant: override.variant,
                    source: override.source,
                    locked: override.locked,
                    expiresAt: override.expires_at?.toISOString() ?? null,
                    isExpired: override.expires_at !== null && override.expires_at.getTime() <= now(),
                    version: override.version,
                  }
                : null,
            };
          }),
        };
      });
    },
  };
}

export type TenantsQueryService = ReturnType<typeof createTenantsQueryService>;
