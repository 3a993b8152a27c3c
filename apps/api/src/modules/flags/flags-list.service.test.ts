import type { ListFlagsQuery } from "@ensign/contracts/flags";
import { beforeEach, describe, expect, it } from "vitest";
import { codeOf, memoryReading } from "../../../test/helpers/recording-writer";
import { NOW, production, staging, WS } from "../../../test/helpers/service-fixtures";
import type { FlagListRow, FlagsListRepository, StateListRow } from "./flags-list.repository";
import { createFlagsListService } from "./flags-list.service";

type StoredFlag = Omit<FlagListRow, "total">;
type StoredState = StateListRow & { flagId: string };

function flag(key: string): StoredFlag {
  const at = new Date(NOW - 3_600_000);
  return {
    id: `flag-${key}`,
    key,
    name: key,
    description: "",
    type: "boolean",
    off_variant: "off",
    on_variant: "on",
    tags: [],
    is_beta: false,
    tenant_manageable: true,
    feedback_url: null,
    depends_on: [],
    lifecycle: "temporary",
    owner: null,
    track_analytics: true,
    deprecated_at: null,
    archived_at: null,
    version: 1,
    created_at: at,
    updated_at: at,
    module_key: null,
  };
}

function state(flagId: string, environmentId: string, enabled: boolean, variant: string, rules = 0): StoredState {
  return {
    flagId,
    state_environment_id: environmentId,
    state_enabled: enabled,
    state_fallthrough: { variant },
    state_tenant_allow: [],
    state_tenant_deny: [],
    state_version: 3,
    state_updated_at: new Date(NOW),
    rule_count: rules,
    override_count: 0,
    user_override_count: 0,
    layer_override_count: 0,
  };
}

const NO_STATE: StateListRow = {
  state_environment_id: null,
  state_enabled: null,
  state_fallthrough: null,
  state_tenant_allow: null,
  state_tenant_deny: null,
  state_version: null,
  state_updated_at: null,
  rule_count: 0,
  override_count: 0,
  user_override_count: 0,
  layer_override_count: 0,
};

/**
 * The flags table in memory, by key: a row per flag and environment asked for that has a
 * state, or one row without a state, as the query's join answers; the calls it was asked.
 */
function fakeRepository(flags: StoredFlag[], states: StoredState[]) {
  const asked: { method: "page" | "count"; environmentIds?: string[]; filterEnvironmentId: string | null; now: Date }[] = [];
  const repo: FlagsListRepository = {
    async environments(_tx, workspaceId) {
      return workspaceId === WS ? [production, staging].map(({ id, key }) => ({ id, key })) : [];
    },
    async page(_tx, _workspaceId, query, environmentIds, filterEnvironmentId, now) {
      asked.push({ method: "page", environmentIds, filterEnvironmentId, now });
      const page = [...flags].sort((a, b) => a.key.localeCompare(b.key)).slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
      return page.flatMap((f) => {
        const found = states.filter((s) => s.flagId === f.id && environmentIds.includes(s.state_environment_id!));
        const rows: StateListRow[] = found.length > 0 ? found.map(({ flagId: _f, ...s }) => s) : [NO_STATE];
        return rows.map((s) => ({ ...f, total: flags.length, ...s }));
      });
    },
    async count(_tx, _workspaceId, _query, filterEnvironmentId, now) {
      asked.push({ method: "count", filterEnvironmentId, now });
      return flags.length;
    },
  };
  return { repo, asked };
}

const query = (fields: Partial<ListFlagsQuery> = {}): ListFlagsQuery => ({ page: 1, pageSize: 10, sort: "key", order: "asc", archived: false, ...fields });

describe("flags list service", () => {
  let fake: ReturnType<typeof fakeRepository>;
  let service: ReturnType<typeof createFlagsListService>;

  beforeEach(() => {
    fake = fakeRepository(
      [flag("search"), flag("checkout")],
      [state("flag-checkout", production.id, true, "on"), state("flag-checkout", staging.id, false, "off", 1), state("flag-search", production.id, true, "off", 2)],
    );
    service = createFlagsListService({ reading: memoryReading, repo: fake.repo, now: () => NOW });
  });

  it("lists each flag once with a summary per environment, a missing state as the disabled default", async () => {
    const list = await service.list(WS, query());
    expect({ total: list.total, page: list.page, pageSize: list.pageSize }).toEqual({ total: 2, page: 1, pageSize: 10 });
    expect(list.items.map((i) => [i.key, i.environments.map((e) => [e.environment, e.enabled, e.status, e.ruleCount, e.version])])).toEqual([
      [
        "checkout",
        [
          ["production", true, "on", 0, 3],
          ["staging", false, "off", 1, 3],
        ],
      ],
      [
        "search",
        [
          ["production", true, "partial", 2, 3],
          ["staging", false, "off", 0, 1],
        ],
      ],
    ]);
    expect(list.items[1]!.environments[1]!.updatedAt).toBe(new Date(NOW - 3_600_000).toISOString());
    expect(fake.asked).toEqual([{ method: "page", environmentIds: [production.id, staging.id], filterEnvironmentId: null, now: new Date(NOW) }]);
  });

  it("narrows the summaries to the environment asked for, which the state filter reads", async () => {
    const list = await service.list(WS, query({ env: "staging", state: "off" }));
    expect(list.items.map((i) => i.environments.map((e) => e.environment))).toEqual([["staging"], ["staging"]]);
    expect(fake.asked.at(-1)).toMatchObject({ environmentIds: [staging.id], filterEnvironmentId: staging.id });
    expect(await codeOf(service.list(WS, query({ env: "qa" })))).toBe("NOT_FOUND");
  });

  it("refuses a state filter or a state sort without an environment, reading nothing", async () => {
    expect(await codeOf(service.list(WS, query({ state: "on" })))).toBe("VALIDATION_FAILED");
    expect(await codeOf(service.list(WS, query({ sort: "rollout" })))).toBe("VALIDATION_FAILED");
    expect(fake.asked).toEqual([]);
  });

  it("counts the matching flags for a page past the last one, which carries no total", async () => {
    const past = await service.list(WS, query({ page: 3, pageSize: 1 }));
    expect({ items: past.items, total: past.total }).toEqual({ items: [], total: 2 });
    expect(fake.asked.map((a) => a.method)).toEqual(["page", "count"]);
  });
});
