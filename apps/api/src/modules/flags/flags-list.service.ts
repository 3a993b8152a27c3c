import type { FlagList, FlagListItem, ListFlagsQuery } from "@ensign/contracts/flags";
import type { PrismaClient } from "../../generated/prisma/client";
import { inWorkspace } from "../../infra/db/scoped";
import { invalid, notFound } from "../../infra/errors";
import { toSummary } from "./flag-responses";
import { flagsListRepository as list, type FlagListRow, type StateListRow } from "./flags-list.repository";
import { flagsRepository as repo } from "./flags.repository";

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
    dependsOn: row.depends_on,
    lifecycle: row.lifecycle,
    owner: row.owner,
    deprecatedAt: row.deprecated_at?.toISOString() ?? null,
    archivedAt: row.archived_at?.toISOString() ?? null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The flags table: a page of flags, each with its state summary in the requested environment (or all). */
export function createFlagsListService({ prisma }: { prisma: PrismaClient }) {
  return {
    list(workspaceId: string, query: ListFlagsQuery): Promise<FlagList> {
      if (query.state && !query.env) throw invalid("Filtering by state needs an environment.", [{ path: "querystring.env", message: "is required with 'state'" }]);
      return inWorkspace(prisma, workspaceId, async (tx) => {
        const now = new Date();
        let environments = await repo.environments(tx, workspaceId);
        if (query.env) {
          environments = environments.filter((env) => env.key === query.env);
          if (environments.length === 0) throw notFound(`Environment '${query.env}'`);
        }
        const environmentId = query.env ? environments[0]!.id : null;
        const rows = await list.page(tx, workspaceId, query, environmentId, now);
        const total = rows[0]?.total ?? (query.page > 1 ? await list.count(tx, workspaceId, query, environmentId, now) : 0);
        const stateRows = await list.states(tx, workspaceId, rows.map((r) => r.id), environments.map((env) => env.id), now);
        const byKey = new Map<string, StateListRow>(stateRows.map((s) => [`${s.flag_id}/${s.environment_id}`, s]));
        const items = rows.map((row) => ({
          ...toItem(row),
          environments: environments.map((env) => {
            const s = byKey.get(`${row.id}/${env.id}`);
            // An environment newer than the flag: its state is created, disabled, on first use.
            const facts = s
              ? { enabled: s.enabled, fallthrough: s.fallthrough, tenantAllow: s.tenant_allow, tenantDeny: s.tenant_deny, ruleCount: s.rule_count, overrideCount: s.override_count, userOverrideCount: s.user_override_count, version: s.version, updatedAt: s.updated_at }
              : { enabled: false, fallthrough: { variant: row.off_variant }, tenantAllow: [], tenantDeny: [], ruleCount: 0, overrideCount: 0, userOverrideCount: 0, version: 1, updatedAt: row.created_at };
            return toSummary(env.key, facts, { offVariant: row.off_variant, onVariant: row.on_variant });
          }),
        }));
        return { items, total, page: query.page, pageSize: query.pageSize };
      });
    },
  };
}

export type FlagsListService = ReturnType<typeof createFlagsListService>;
