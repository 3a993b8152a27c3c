import { FLAG_STATE_SORTS, type FlagList, type FlagListItem, type ListFlagsQuery } from "@ensign/contracts/flags";
import type { Reader } from "../../infra/db/scoped";
import { invalid, notFound } from "../../infra/errors";
import { toSummary } from "./flag-responses";
import type { FlagListRow, FlagsListRepository, StateListRow } from "./flags-list.repository";

function toItem(row: FlagListRow): Omit<FlagListItem, "environments"> {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    module: row.module_key,
    type: row.type,
    offVariant: row.off_variant,
    onVariant: row.on_variant,
    tags: row.tags,
    isBeta: row.is_beta,
    tenantManageable: row.tenant_manageable,
    feedbackUrl: row.feedback_url,
    dependsOn: row.depends_on,
    lifecycle: row.lifecycle,
    owner: row.owner,
    trackAnalytics: row.track_analytics,
    deprecatedAt: row.deprecated_at?.toISOString() ?? null,
    archivedAt: row.archived_at?.toISOString() ?? null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export interface FlagsListServiceDeps {
  reading: Reader;
  repo: FlagsListRepository;
  now?: () => number;
}

/** The flags table: a page of flags, each with its state summary in the requested environment (or all). */
export function createFlagsListService({ reading, repo, now: clock = Date.now }: FlagsListServiceDeps) {
  return {
    async list(workspaceId: string, query: ListFlagsQuery): Promise<FlagList> {
      if (query.state && !query.env) throw invalid("Filtering by state needs an environment.", [{ path: "querystring.env", message: "is required with 'state'" }]);
      if (FLAG_STATE_SORTS.includes(query.sort) && !query.env) throw invalid(`Sorting by ${query.sort} needs an environment.`, [{ path: "querystring.env", message: `is required with 'sort=${query.sort}'` }]);
      return reading(workspaceId, async (tx) => {
        const now = new Date(clock());
        let environments = await repo.environments(tx, workspaceId);
        if (query.env) {
          environments = environments.filter((env) => env.key === query.env);
          if (environments.length === 0) throw notFound(`Environment '${query.env}'`);
        }
        const filterEnvironmentId = query.env ? environments[0]!.id : null;
        const rows = await repo.page(tx, workspaceId, query, environments.map((env) => env.id), filterEnvironmentId, now);
        const total = rows[0]?.total ?? (query.page > 1 ? await repo.count(tx, workspaceId, query, filterEnvironmentId, now) : 0);
        const byFlag = new Map<string, { flag: FlagListRow; states: Map<string, StateListRow> }>();
        for (const row of rows) {
          const entry = byFlag.get(row.id) ?? { flag: row, states: new Map() };
          if (row.state_environment_id) entry.states.set(row.state_environment_id, row);
          byFlag.set(row.id, entry);
        }
        const items = [...byFlag.values()].map(({ flag, states }) => ({
          ...toItem(flag),
          environments: environments.map((env) => {
            const s = states.get(env.id);
            // An environment newer than the flag: its state is created, disabled, on first use.
            const facts = s
              ? { enabled: s.state_enabled!, fallthrough: s.state_fallthrough!, tenantAllow: s.state_tenant_allow!, tenantDeny: s.state_tenant_deny!, ruleCount: s.rule_count, overrideCount: s.override_count, userOverrideCount: s.user_override_count, layerOverrideCount: s.layer_override_count, version: s.state_version!, updatedAt: s.state_updated_at! }
              : { enabled: false, fallthrough: { variant: flag.off_variant }, tenantAllow: [], tenantDeny: [], ruleCount: 0, overrideCount: 0, userOverrideCount: 0, version: 1, updatedAt: flag.created_at };
            return toSummary(env.key, facts, { offVariant: flag.off_variant, onVariant: flag.on_variant });
          }),
        }));
        return { items, total, page: query.page, pageSize: query.pageSize };
      });
    },
  };
}

export type FlagsListService = ReturnType<typeof createFlagsListService>;
