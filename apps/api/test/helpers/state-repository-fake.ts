import type { FlagStateRepository, RulesRepository } from "../../src/modules/flags/flag-state.repository";
import type { StoredState } from "../../src/modules/flags/flag-states.repository";
import type { FlagRow } from "../../src/modules/flags/flags.repository";
import { flagRow, newStateRow, NOW, production, staging, WS } from "./service-fixtures";

/*
 * The state store of the flag-state and rules services, in memory, for their unit tests: what
 * PostgreSQL keeps (one workspace's flags, states, rules, segments and tenants) and nothing more.
 */

type Stored = StoredState & { workspaceId: string };

/** A live boolean flag of `WS` as the repository finds it: the lookups' row with the definition's fields. */
function flag(key: string, fields: Partial<FlagRow> = {}): FlagRow {
  return {
    ...flagRow(key),
    description: "",
    tags: [],
    isBeta: false,
    tenantManageable: false,
    feedbackUrl: null,
    lifecycle: "active",
    owner: null,
    trackAnalytics: false,
    version: 1,
    createdAt: new Date(NOW),
    updatedAt: new Date(NOW),
    ...fields,
  } as FlagRow;
}

/**
 * The flag-state and rules repositories in memory: flags and their states in two environments,
 * segments and tenants of `WS`.
 */
export function memoryStateRepository() {
  const flags = [flag("checkout"), flag("legacy", { deprecatedAt: new Date(NOW) }), flag("retired", { archivedAt: new Date(NOW) })];
  const environments = [staging, production].map(({ id, key }) => ({ id, key }));
  const states: Stored[] = [];
  const segments = ["beta"];
  const tenants = ["acme", "globex", "initech"];
  /** Flags whose state was looked up for a write (share-locked in PostgreSQL). */
  const locked: string[] = [];
  let ids = 0;
  const stateOf = (workspaceId: string, flagId: string, environmentId: string) =>
    states.find((s) => s.workspaceId === workspaceId && s.flagId === flagId && s.environmentId === environmentId);
  const byId = (workspaceId: string, id: string) => states.find((s) => s.workspaceId === workspaceId && s.id === id);
  const strip = ({ workspaceId: _w, ...state }: Stored): StoredState => structuredClone(state);
  const inWs = <T>(workspaceId: string, items: T[]) => (workspaceId === WS ? items : []);

  const repo: FlagStateRepository & RulesRepository = {
    async findFlag(_tx, workspaceId, key, { isWrite }) {
      const found = inWs(workspaceId, flags).find((f) => f.key === key) ?? null;
      if (found && isWrite) locked.push(key);
      return found;
    },
    async findEnvironment(_tx, workspaceId, key) {
      return inWs(workspaceId, environments).find((e) => e.key === key) ?? null;
    },
    async findState(_tx, workspaceId, flagId, environmentId) {
      const state = stateOf(workspaceId, flagId, environmentId);
      return state ? strip(state) : null;
    },
    async ensureState(_tx, workspaceId, flagId, environmentId, initial) {
      if (stateOf(workspaceId, flagId, environmentId)) return;
      states.push({ workspaceId, ...newStateRow(`state-${++ids}`, flagId, environmentId, initial) });
    },
    async claimVersion(_tx, workspaceId, stateId, expectedVersion) {
      const state = byId(workspaceId, stateId);
      if (!state || (expectedVersion !== null && state.version !== expectedVersion)) return false;
      state.version += 1;
      return true;
    },
    async currentVersion(_tx, workspaceId, stateId) {
      return byId(workspaceId, stateId)?.version ?? 0;
    },
    async existingSegments(_tx, workspaceId, keys) {
      return new Set(keys.filter((key) => inWs(workspaceId, segments).includes(key)));
    },
    async existingTenants(_tx, workspaceId, keys) {
      return new Set(keys.filter((key) => inWs(workspaceId, tenants).includes(key)));
    },
    async update(_tx, workspaceId, stateId, data) {
      // A field left undefined stays as it is, as in Prisma.
      const defined = Object.entries(data).filter(([, value]) => value !== undefined);
      Object.assign(byId(workspaceId, stateId)!, structuredClone(Object.fromEntries(defined)));
    },
    async replaceRules(_tx, workspaceId, stateId, rules) {
      byId(workspaceId, stateId)!.rules = rules.map((rule, position) => ({
        id: `rule-${++ids}`,
        position,
        name: rule.name ?? null,
        conditions: structuredClone(rule.conditions),
        serve: structuredClone(rule.serve),
      }));
    },
    async insertRule(_tx, workspaceId, stateId, position, rule) {
      const state = byId(workspaceId, stateId)!;
      const id = `rule-${++ids}`;
      for (const r of state.rules) if (r.position >= position) r.position += 1;
      state.rules.push({ id, position, name: rule.name ?? null, conditions: structuredClone(rule.conditions), serve: structuredClone(rule.serve) });
      state.rules.sort((x, y) => x.position - y.position);
      return id;
    },
    async updateRule(_tx, workspaceId, ruleId, data) {
      const rule = states.filter((s) => s.workspaceId === workspaceId).flatMap((s) => s.rules).find((r) => r.id === ruleId);
      if (!rule) return;
      if (data.name !== undefined) rule.name = data.name;
      if (data.conditions) rule.conditions = structuredClone(data.conditions);
      if (data.serve) rule.serve = structuredClone(data.serve);
    },
    async deleteRule(_tx, workspaceId, stateId, { id, position }) {
      const state = byId(workspaceId, stateId)!;
      state.rules = state.rules.filter((r) => r.id !== id);
      for (const r of state.rules) if (r.position > position) r.position -= 1;
    },
    async reorderRules(_tx, workspaceId, stateId, ruleIds) {
      const state = byId(workspaceId, stateId)!;
      for (const r of state.rules) r.position = ruleIds.indexOf(r.id);
      state.rules.sort((x, y) => x.position - y.position);
    },
  };
  const rows = {
    save() {
      const saved = structuredClone(states);
      return () => void states.splice(0, states.length, ...saved);
    },
  };
  return { repo, rows, states, locked, stateOf: (flagId: string, environmentId: string) => stateOf(WS, flagId, environmentId) };
}
