import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { flagStatesRepository, type StoredState } from "./flag-states.repository";
import type { StateFacts } from "./state-summary";
import { servedVariants } from "./targeting-validation";

export const FLAG_SELECT = {
  id: true,
  key: true,
  name: true,
  description: true,
  type: true,
  variants: true,
  offVariant: true,
  onVariant: true,
  tags: true,
  isBeta: true,
  tenantManageable: true,
  feedbackUrl: true,
  dependsOn: true,
  lifecycle: true,
  owner: true,
  trackAnalytics: true,
  deprecatedAt: true,
  archivedAt: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  module: { select: { key: true } },
} satisfies Prisma.FlagSelect;

export type FlagRow = Prisma.FlagGetPayload<{ select: typeof FLAG_SELECT }>;

export interface EnvironmentRef {
  id: string;
  key: string;
}

export type FlagData = Omit<Prisma.FlagUncheckedCreateInput, "workspaceId" | "id" | "version" | "createdAt" | "updatedAt">;
export type FlagChanges = Partial<Omit<FlagData, "key" | "type" | "salt">>;

/** A place where one of a flag's variants is served. */
export interface VariantUse {
  variant: string;
  where: string;
}

/** A flag's state in one environment as its summary shows it, with its counts of rules and unexpired overrides. */
export interface StateSummaryRow extends StateFacts {
  environmentId: string;
  version: number;
  updatedAt: Date;
}

/** How many of each went with a deleted flag, for its audit entry. */
export interface RemovedWithFlag {
  states: number;
  tenantOverrides: number;
  userOverrides: number;
  schedules: number;
  statBuckets: number;
}

/** One flag of the prerequisite graph. */
export interface GraphNode {
  key: string;
  dependsOn: string[];
  archivedAt: Date | null;
}

/**
 * Where the flags service reads and writes, inside the transaction it is given. Every method
 * takes the workspace and keeps to it.
 */
export interface FlagsRepository {
  /** By key, archived flags included. */
  find(tx: Tx, workspaceId: string, key: string): Promise<FlagRow | null>;
  create(tx: Tx, workspaceId: string, data: FlagData): Promise<FlagRow>;
  /**
   * Moves the flag to its next version if it is still at `expectedVersion`, holding it until the
   * transaction ends. Answers whether it moved.
   */
  claimVersion(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
  /** The committed version now: what a refused writer should reload. */
  currentVersion(tx: Tx, workspaceId: string, id: string): Promise<number>;
  write(tx: Tx, workspaceId: string, id: string, data: FlagChanges): Promise<FlagRow>;
  /** Deletes the flag with its states, overrides, schedules and statistics. */
  remove(tx: Tx, workspaceId: string, flag: { id: string; key: string }): Promise<RemovedWithFlag>;
  module(tx: Tx, workspaceId: string, key: string): Promise<{ id: string; keyPrefix: string | null } | null>;
  /** Serialises changes to the workspace's prerequisite graph until the transaction ends. */
  lockDependencyGraph(tx: Tx, workspaceId: string): Promise<void>;
  /** Every flag's prerequisites, archived flags included. */
  dependencyGraph(tx: Tx, workspaceId: string): Promise<GraphNode[]>;
  /** Live flags that list `key` as a prerequisite, by key. */
  dependants(tx: Tx, workspaceId: string, key: string): Promise<string[]>;
  /** In the workspace's order. */
  environments(tx: Tx, workspaceId: string): Promise<EnvironmentRef[]>;
  /** The flag's stored states, counting the overrides unexpired at `now`. */
  stateSummaries(tx: Tx, workspaceId: string, flagId: string, now: Date): Promise<StateSummaryRow[]>;
  findState(tx: Tx, workspaceId: string, flagId: string, environmentId: string): Promise<StoredState | null>;
  /** Creates the flag's missing states in these environments, disabled or not, serving `variant`. */
  ensureStates(tx: Tx, workspaceId: string, flagId: string, environmentIds: string[], initial: { enabled: boolean; variant: string }): Promise<void>;
  /** Where any of `variants` is still served: fallthroughs, rules and overrides. */
  variantUses(tx: Tx, workspaceId: string, flagId: string, variants: string[]): Promise<VariantUse[]>;
}

export const flagsRepository = {
  find(tx: Tx, workspaceId: string, key: string): Promise<FlagRow | null> {
    return tx.flag.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: FLAG_SELECT });
  },

  /**
   * Reads the flag while holding a share lock on it until the transaction ends: state writes
   * that check variant references cannot interleave with an edit of the variants.
   */
  async findShared(tx: Tx, workspaceId: string, key: string): Promise<FlagRow | null> {
    await tx.$queryRaw`SELECT id FROM flags WHERE workspace_id = ${workspaceId}::uuid AND key = ${key} FOR SHARE`;
    return this.find(tx, workspaceId, key);
  },

  create(tx: Tx, workspaceId: string, data: FlagData): Promise<FlagRow> {
    return tx.flag.create({ data: { ...data, workspaceId }, select: FLAG_SELECT });
  },

  /**
   * Moves the flag to its next version if it is still at `expectedVersion` (unconditionally when
   * null), locking it until the transaction ends: concurrent writers queue here and the later
   * ones find the version moved on. Returns whether it moved.
   */
  async claimVersion(tx: Tx, workspaceId: string, id: string, expectedVersion: number | null): Promise<boolean> {
    const { count } = await tx.flag.updateMany({
      where: { workspaceId, id, ...(expectedVersion === null ? {} : { version: expectedVersion }) },
      data: { version: { increment: 1 } },
    });
    return count === 1;
  },

  /** The committed version now: what a refused writer should reload. */
  /**
   * Deletes a flag for good with everything that hangs on it: its states and rules, tenant and
   * user overrides and schedules (by cascade) and its evaluation statistics (kept by key). Answers
   * how many of each went, for the audit entry.
   */
  async remove(tx: Tx, workspaceId: string, flag: { id: string; key: string }) {
    const where = { workspaceId, flagId: flag.id };
    const removed = {
      states: await tx.flagState.count({ where }),
      tenantOverrides: await tx.tenantOverride.count({ where }),
      userOverrides: await tx.userOverride.count({ where }),
      schedules: await tx.schedule.count({ where }),
      statBuckets: (await tx.flagStatBucket.deleteMany({ where: { workspaceId, flagKey: flag.key } })).count,
    };
    await tx.flag.deleteMany({ where: { workspaceId, id: flag.id } });
    return removed;
  },

  async currentVersion(tx: Tx, workspaceId: string, id: string): Promise<number> {
    const row = await tx.flag.findFirst({ where: { workspaceId, id }, select: { version: true } });
    return row?.version ?? 0;
  },

  async write(tx: Tx, workspaceId: string, id: string, data: FlagChanges): Promise<FlagRow> {
    await tx.flag.updateMany({ where: { workspaceId, id }, data });
    return (await tx.flag.findFirst({ where: { workspaceId, id }, select: FLAG_SELECT }))!;
  },

  async module(tx: Tx, workspaceId: string, key: string): Promise<{ id: string; keyPrefix: string | null } | null> {
    return tx.module.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, keyPrefix: true } });
  },

  /** Every flag's prerequisites: the graph cycles are looked for in. */
  dependencyGraph(tx: Tx, workspaceId: string) {
    return tx.flag.findMany({ where: { workspaceId }, select: { key: true, dependsOn: true, archivedAt: true } });
  },

  /**
   * Serialises changes to the prerequisite graph of one workspace, so two edits cannot each
   * close half of a cycle.
   */
  async lockDependencyGraph(tx: Tx, workspaceId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`flag-deps:${workspaceId}`}, 0))`;
  },

  /** Live (not archived) flags that list `key` as a prerequisite. */
  async dependants(tx: Tx, workspaceId: string, key: string): Promise<string[]> {
    const rows = await tx.flag.findMany({
      where: { workspaceId, archivedAt: null, dependsOn: { has: key } },
      select: { key: true },
      orderBy: { key: "asc" },
    });
    return rows.map((row) => row.key);
  },

  environments(tx: Tx, workspaceId: string): Promise<EnvironmentRef[]> {
    return tx.environment.findMany({
      where: { workspaceId },
      select: { id: true, key: true },
      orderBy: [{ sortOrder: "asc" }, { createdAt: "asc" }],
    });
  },

  environment(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentRef | null> {
    return tx.environment.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, key: true } });
  },

  /** Which of `keys` are segments of the workspace. */
  async existingSegments(tx: Tx, workspaceId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await tx.segment.findMany({ where: { workspaceId, key: { in: keys } }, select: { key: true } });
    return new Set(rows.map((row) => row.key));
  },

  /** Which of `keys` are tenants of the workspace. */
  async existingTenants(tx: Tx, workspaceId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await tx.tenant.findMany({ where: { workspaceId, key: { in: keys } }, select: { key: true } });
    return new Set(rows.map((row) => row.key));
  },

  /** Where any of `variants` is still served: fallthroughs and rules in every environment, and overrides. */
  async variantUses(tx: Tx, workspaceId: string, flagId: string, variants: string[]): Promise<VariantUse[]> {
    const wanted = new Set(variants);
    const uses: VariantUse[] = [];
    for (const state of await flagStatesRepository.allOfFlag(tx, workspaceId, flagId)) {
      for (const variant of servedVariants(state.fallthrough)) {
        if (wanted.has(variant)) uses.push({ variant, where: `fallthrough in ${state.environmentKey}` });
      }
      state.rules.forEach((rule, i) => {
        for (const variant of servedVariants(rule.serve)) {
          if (wanted.has(variant)) uses.push({ variant, where: `rule ${i + 1} in ${state.environmentKey}` });
        }
      });
    }
    uses.push(...(await this.overrideVariantUses(tx, workspaceId, flagId, variants)));
    return uses;
  },

  /** Where the flag's variants are in use outside its definition: overrides and their environments. */
  async overrideVariantUses(tx: Tx, workspaceId: string, flagId: string, variants: string[]): Promise<VariantUse[]> {
    const where = { workspaceId, flagId, variant: { in: variants } };
    const [tenant, user] = await Promise.all([
      tx.tenantOverride.findMany({ where, select: { variant: true, environment: { select: { key: true } }, tenant: { select: { key: true } } }, take: 20 }),
      tx.userOverride.findMany({ where, select: { variant: true, userKey: true, environment: { select: { key: true } } }, take: 20 }),
    ]);
    return [
      ...tenant.map((o) => ({ variant: o.variant, where: `tenant override of '${o.tenant.key}' in ${o.environment.key}` })),
      ...user.map((o) => ({ variant: o.variant, where: `user override of '${o.userKey}' in ${o.environment.key}` })),
    ];
  },
};

/** The flags repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createFlagsRepository(): FlagsRepository {
  const flags = flagsRepository;
  const states = flagStatesRepository;
  return {
    find: (tx, workspaceId, key) => flags.find(tx, workspaceId, key),
    create: (tx, workspaceId, data) => flags.create(tx, workspaceId, data),
    claimVersion: (tx, workspaceId, id, expectedVersion) => flags.claimVersion(tx, workspaceId, id, expectedVersion),
    currentVersion: (tx, workspaceId, id) => flags.currentVersion(tx, workspaceId, id),
    write: (tx, workspaceId, id, data) => flags.write(tx, workspaceId, id, data),
    remove: (tx, workspaceId, flag) => flags.remove(tx, workspaceId, flag),
    module: (tx, workspaceId, key) => flags.module(tx, workspaceId, key),
    lockDependencyGraph: (tx, workspaceId) => flags.lockDependencyGraph(tx, workspaceId),
    dependencyGraph: (tx, workspaceId) => flags.dependencyGraph(tx, workspaceId),
    dependants: (tx, workspaceId, key) => flags.dependants(tx, workspaceId, key),
    environments: (tx, workspaceId) => flags.environments(tx, workspaceId),
    stateSummaries: (tx, workspaceId, flagId, now) => states.summaries(tx, workspaceId, flagId, now),
    findState: (tx, workspaceId, flagId, environmentId) => states.find(tx, workspaceId, flagId, environmentId),
    ensureStates: (tx, workspaceId, flagId, environmentIds, initial) => states.ensure(tx, workspaceId, flagId, environmentIds, initial),
    variantUses: (tx, workspaceId, flagId, variants) => flags.variantUses(tx, workspaceId, flagId, variants),
  };
}
