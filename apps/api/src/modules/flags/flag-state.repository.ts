import type { Tx } from "../../infra/db/scoped";
import { flagStatesRepository as states, type RuleData, type StateData } from "./flag-states.repository";
import { stateStore, type StateStore } from "./state-writes";

/**
 * Where the flag-state service reads and writes, inside the transaction it is given: the state
 * store every state write uses, and the state's fields and rules. Every method takes the
 * workspace and keeps to it.
 */
export interface FlagStateRepository extends StateStore {
  /** Writes the given fields of the state; the others stay as they are. */
  update(tx: Tx, workspaceId: string, stateId: string, data: StateData): Promise<void>;
  /** Replaces every rule of the state, in the given order, with new ids. */
  replaceRules(tx: Tx, workspaceId: string, stateId: string, rules: RuleData[]): Promise<void>;
}

/** The flag-state repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createFlagStateRepository(): FlagStateRepository {
  return {
    ...stateStore,
    update: (tx, workspaceId, stateId, data) => states.update(tx, workspaceId, stateId, data),
    replaceRules: (tx, workspaceId, stateId, rules) => states.replaceRules(tx, workspaceId, stateId, rules),
  };
}

/**
 * Where the rules service reads and writes, inside the transaction it is given: the state store
 * every state write uses, and the state's rules one at a time. Every method keeps to the workspace.
 */
export interface RulesRepository extends StateStore {
  /** Inserts the rule at `position`, moving the rules from there on down one; answers its id. */
  insertRule(tx: Tx, workspaceId: string, stateId: string, position: number, rule: RuleData): Promise<string>;
  /** Writes the given fields of the rule; the others stay as they are. */
  updateRule(tx: Tx, workspaceId: string, ruleId: string, data: Partial<RuleData>): Promise<void>;
  /** Deletes the rule and closes the gap it leaves in the positions. */
  deleteRule(tx: Tx, workspaceId: string, stateId: string, rule: { id: string; position: number }): Promise<void>;
  /** Gives the rules positions 0..n-1 in the order of `ruleIds` (every rule of the state, once). */
  reorderRules(tx: Tx, workspaceId: string, stateId: string, ruleIds: string[]): Promise<void>;
}

/** The rules repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createRulesRepository(): RulesRepository {
  return {
    ...stateStore,
    insertRule: (tx, workspaceId, stateId, position, rule) => states.insertRule(tx, workspaceId, stateId, position, rule),
    updateRule: (tx, workspaceId, ruleId, data) => states.updateRule(tx, workspaceId, ruleId, data),
    deleteRule: (tx, workspaceId, stateId, rule) => states.deleteRule(tx, workspaceId, stateId, rule),
    reorderRules: (tx, workspaceId, stateId, ruleIds) => states.reorderRules(tx, workspaceId, stateId, ruleIds),
  };
}
