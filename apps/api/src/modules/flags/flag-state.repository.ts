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
