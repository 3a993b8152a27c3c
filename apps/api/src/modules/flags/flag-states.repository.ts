import type { Condition, Serve } from "@ensign/contracts/targeting";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

export const STATE_SELECT = {
  id: true,
  flagId: true,
  environmentId: true,
  enabled: true,
  fallthrough: true,
  tenantAllow: true,
  tenantDeny: true,
  version: true,
  updatedAt: true,
  rules: { orderBy: { position: "asc" }, select: { id: true, position: true, name: true, conditions: true, serve: true } },
} satisfies Prisma.FlagStateSelect;

type StateRow = Prisma.FlagStateGetPayload<{ select: typeof STATE_SELECT }>;

export interface RuleData {
  name?: string | null | undefined;
  conditions: Condition[];
  serve: Serve;
}

/** A rule as stored, with its JSON columns typed. */
export interface StoredRule {
  id: string;
  position: number;
  name: string | null;
  conditions: Condition[];
  serve: Serve;
}

/** A flag state as stored, with its JSON columns typed; the API validated them on the way in. */
export interface StoredState extends Omit<StateRow, "fallthrough" | "rules"> {
  fallthrough: Serve;
  rules: StoredRule[];
}

function typed(row: StateRow): StoredState {
  return {
    ...row,
    fallthrough: row.fallthrough as Serve,
    rules: row.rules.map((rule) => ({ ...rule, conditions: rule.conditions as Condition[], serve: rule.serve as Serve })),
  };
}

export interface StateData {
  enabled?: boolean;
  fallthrough?: Serve;
  tenantAllow?: string[];
  tenantDeny?: string[];
}

const json = (value: unknown) => value as Prisma.InputJsonValue;

/**
 * The state a flag has in an environment that has no row for it yet (an environment created
 * without its states): disabled, serving the off variant, version 1 — what the first write
 * creates before it applies.
 */
export function defaultState(flag: { id: string; offVariant: string; createdAt: Date }, environmentId: string): StoredState {
  return {
    id: "",
    flagId: flag.id,
    environmentId,
    enabled: false,
    fallthrough: { variant: flag.offVariant },
    tenantAllow: [],
    tenantDeny: [],
    version: 1,
    updatedAt: flag.createdAt,
    rules: [],
  };
}

export const flagStatesRepository = {
  async find(tx: Tx, workspaceId: string, flagId: string, environmentId: string): Promise<StoredState | null> {
    const row = await tx.flagState.findFirst({ where: { workspaceId, flagId, environmentId }, select: STATE_SELECT });
    return row && typed(row);
  },

  /**
   * Creates the missing states of a flag (disabled, serving `variant`): new flags get one per
   * environment, and an environment created since gets its state on first use.
   */
  async ensure(tx: Tx, workspaceId: string, flagId: string, environmentIds: string[], initial: { enabled: boolean; variant: string }) {
    await tx.flagState.createMany({
      data: environmentIds.map((environmentId) => ({
        workspaceId,
        flagId,
        environmentId,
        enabled: initial.enabled,
        fallthrough: { variant: initial.variant },
      })),
      skipDuplicates: true,
    });
  },

  /**
   * Moves the state to its next version if it is still at `expectedVersion` (unconditionally
   * when null). The row stays locked until the transaction ends, so concurrent writers queue
   * here and the later ones find the version moved on. Returns whether it moved.
   */
  async claimVersion(tx: Tx, workspaceId: string, stateId: string, expectedVersion: number | null): Promise<boolean> {
    const { count } = await tx.flagState.updateMany({
      where: { workspaceId, id: stateId, ...(expectedVersion === null ? {} : { version: expectedVersion }) },
      data: { version: { increment: 1 } },
    });
    return count === 1;
  },

  /** The committed version now: what a refused writer should reload. */
  async currentVersion(tx: Tx, workspaceId: string, stateId: string): Promise<number> {
    const row = await tx.flagState.findFirst({ where: { workspaceId, id: stateId }, select: { version: true } });
    return row?.version ?? 0;
  },

  async update(tx: Tx, workspaceId: string, stateId: string, data: StateData): Promise<void> {
    await tx.flagState.updateMany({
      where: { workspaceId, id: stateId },
      data: { ...data, ...(data.fallthrough ? { fallthrough: json(data.fallthrough) } : {}) },
    });
  },

  async insertRule(tx: Tx, workspaceId: string, stateId: string, position: number, rule: RuleData): Promise<string> {
    await tx.flagRule.updateMany({ where: { workspaceId, flagStateId: stateId, position: { gte: position } }, data: { position: { increment: 1 } } });
    const created = await tx.flagRule.create({
      data: { workspaceId, flagStateId: stateId, position, name: rule.name ?? null, conditions: json(rule.conditions), serve: json(rule.serve) },
      select: { id: true },
    });
    return created.id;
  },

  async updateRule(tx: Tx, workspaceId: string, ruleId: string, data: Partial<RuleData>): Promise<void> {
    await tx.flagRule.updateMany({
      where: { workspaceId, id: ruleId },
      data: {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.conditions ? { conditions: json(data.conditions) } : {}),
        ...(data.serve ? { serve: json(data.serve) } : {}),
      },
    });
  },

  async deleteRule(tx: Tx, workspaceId: string, stateId: string, rule: { id: string; position: number }): Promise<void> {
    await tx.flagRule.deleteMany({ where: { workspaceId, id: rule.id } });
    await tx.flagRule.updateMany({ where: { workspaceId, flagStateId: stateId, position: { gt: rule.position } }, data: { position: { decrement: 1 } } });
  },

  /** Gives the rules positions 0..n-1 in the order of `ruleIds`. */
  async reorderRules(tx: Tx, workspaceId: string, stateId: string, ruleIds: string[]): Promise<void> {
    if (ruleIds.length === 0) return;
    await tx.$executeRaw`
      UPDATE flag_rules AS r SET position = o.position - 1, updated_at = now()
      FROM unnest(${ruleIds}::uuid[]) WITH ORDINALITY AS o(id, position)
      WHERE r.id = o.id AND r.workspace_id = ${workspaceId}::uuid AND r.flag_state_id = ${stateId}::uuid`;
  },

  /** Replaces every rule of the state (copying state between environments). */
  async replaceRules(tx: Tx, workspaceId: string, stateId: string, rules: RuleData[]): Promise<void> {
    await tx.flagRule.deleteMany({ where: { workspaceId, flagStateId: stateId } });
    if (rules.length === 0) return;
    await tx.flagRule.createMany({
      data: rules.map((rule, position) => ({
        workspaceId,
        flagStateId: stateId,
        position,
        name: rule.name ?? null,
        conditions: json(rule.conditions),
        serve: json(rule.serve),
      })),
    });
  },

  /** The flag's states with their rule counts, and its unexpired override counts per environment. */
  async summaries(tx: Tx, workspaceId: string, flagId: string, now: Date) {
    const unexpired = { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
    const states = await tx.flagState.findMany({
      where: { workspaceId, flagId },
      select: { environmentId: true, enabled: true, fallthrough: true, tenantAllow: true, tenantDeny: true, version: true, updatedAt: true, _count: { select: { rules: true } } },
    });
    const tenant = await tx.tenantOverride.groupBy({ by: ["environmentId"], where: { workspaceId, flagId, ...unexpired }, _count: { _all: true } });
    const user = await tx.userOverride.groupBy({ by: ["environmentId"], where: { workspaceId, flagId, ...unexpired }, _count: { _all: true } });
    const layer = await tx.layerOverride.groupBy({ by: ["environmentId"], where: { workspaceId, flagId, ...unexpired }, _count: { _all: true } });
    const count = (rows: { environmentId: string; _count: { _all: number } }[], envId: string) =>
      rows.find((row) => row.environmentId === envId)?._count._all ?? 0;
    return states.map((state) => ({
      environmentId: state.environmentId,
      enabled: state.enabled,
      fallthrough: state.fallthrough as Serve,
      tenantAllow: state.tenantAllow,
      tenantDeny: state.tenantDeny,
      version: state.version,
      updatedAt: state.updatedAt,
      ruleCount: state._count.rules,
      overrideCount: count(tenant, state.environmentId),
      userOverrideCount: count(user, state.environmentId),
      layerOverrideCount: count(layer, state.environmentId),
    }));
  },

  /** Every state of the flag with its rules: where variants are referenced. */
  async allOfFlag(tx: Tx, workspaceId: string, flagId: string) {
    const rows = await tx.flagState.findMany({
      where: { workspaceId, flagId },
      select: { ...STATE_SELECT, environment: { select: { key: true } } },
    });
    return rows.map((row) => ({ ...typed(row), environmentKey: row.environment.key }));
  },
};
