import type { ListEnvironmentsQuery } from "@ensign/contracts/environments";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { nullOnUniqueViolation } from "../../infra/prisma-errors";
import { containing, pageArgs } from "../../infra/paging";

const ENVIRONMENT_SELECT = {
  id: true,
  key: true,
  name: true,
  color: true,
  sortOrder: true,
  contextIssuer: true,
  contextJwksUrl: true,
  requireContextToken: true,
  isProduction: true,
  exposedHeaders: true,
  masterSwitchOn: true,
  masterSwitchReason: true,
  masterSwitchChangedAt: true,
  masterSwitchChangedBy: true,
  snapshotVersion: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.EnvironmentSelect;

export type EnvironmentRow = Prisma.EnvironmentGetPayload<{ select: typeof ENVIRONMENT_SELECT }>;

export interface EnvironmentChanges {
  name?: string;
  color?: string | null;
  sortOrder?: number;
  contextIssuer?: string | null;
  contextJwksUrl?: string | null;
  requireContextToken?: boolean;
  isProduction?: boolean;
  exposedHeaders?: string[];
}

/** A new environment's columns. */
export interface NewEnvironment {
  key: string;
  name: string;
  color: string | null;
  sortOrder: number;
  contextSecret: string;
  requireContextToken: boolean;
  isProduction: boolean;
}

/** What deleting an environment takes with it: counts, and its API keys (to revoke). */
export interface EnvironmentDependants {
  flagStates: number;
  tenantOverrides: number;
  userOverrides: number;
  identities: number;
  schedules: number;
  apiKeys: { id: string; secretHash: string; revokedAt: Date | null }[];
}

/** An environment's signing secret, with what names it. */
export interface EnvironmentSecret {
  id: string;
  key: string;
  contextSecret: string;
  version: number;
}

/**
 * Where the environments service reads and writes, inside the transaction it is given. Every
 * method takes the workspace and keeps to it. Versioned writes answer null or false when
 * `expectedVersion` is no longer current.
 */
export interface EnvironmentsRepository {
  findByKey(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentRow | null>;
  findById(tx: Tx, workspaceId: string, id: string): Promise<EnvironmentRow | null>;
  /** Searched by key and name; sorted as asked, then by key. */
  list(tx: Tx, workspaceId: string, query: ListEnvironmentsQuery): Promise<{ rows: EnvironmentRow[]; total: number }>;
  count(tx: Tx, workspaceId: string): Promise<number>;
  /** One past the highest sort order of the workspace's environments (0 when it has none). */
  nextSortOrder(tx: Tx, workspaceId: string): Promise<number>;
  /** Holds the workspace until the transaction ends: environment creation and deletion serialise. */
  lockWorkspace(tx: Tx, workspaceId: string): Promise<void>;
  /** A new environment; null when the key is taken. */
  create(tx: Tx, workspaceId: string, data: NewEnvironment): Promise<EnvironmentRow | null>;
  /** A state for every flag of the workspace in the new environment, off; how many. */
  createDefaultStates(tx: Tx, workspaceId: string, environmentId: string): Promise<number>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: EnvironmentChanges & { contextSecret?: string }): Promise<EnvironmentRow | null>;
  /** Sets the master switch unless it is already in that state (null then), so only one of two simultaneous flips is recorded. */
  setMasterSwitch(tx: Tx, workspaceId: string, id: string, change: { isOn: boolean; reason: string | null; changedBy: string | null }): Promise<EnvironmentRow | null>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
  dependants(tx: Tx, workspaceId: string, environmentId: string): Promise<EnvironmentDependants>;
  contextSecret(tx: Tx, workspaceId: string, key: string): Promise<EnvironmentSecret | null>;
}

/** The environments repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createEnvironmentsRepository(): EnvironmentsRepository {
  const repo = environmentsRepository;
  return {
    findByKey: (tx, workspaceId, key) => repo.findByKey(tx, workspaceId, key),
    findById: (tx, workspaceId, id) => repo.findById(tx, workspaceId, id),
    list: (tx, workspaceId, query) => repo.list(tx, workspaceId, query),
    count: (tx, workspaceId) => repo.count(tx, workspaceId),
    nextSortOrder: (tx, workspaceId) => repo.nextSortOrder(tx, workspaceId),
    lockWorkspace: (tx, workspaceId) => repo.lockWorkspace(tx, workspaceId),
    create: (tx, workspaceId, data) => nullOnUniqueViolation(() => repo.create(tx, workspaceId, data)),
    createDefaultStates: (tx, workspaceId, environmentId) => repo.createDefaultStates(tx, workspaceId, environmentId),
    update: async (tx, workspaceId, id, expectedVersion, data) => (await repo.update(tx, workspaceId, id, expectedVersion, data)) ?? null,
    setMasterSwitch: async (tx, workspaceId, id, change) => (await repo.setMasterSwitch(tx, workspaceId, id, change)) ?? null,
    delete: (tx, workspaceId, id, expectedVersion) => repo.delete(tx, workspaceId, id, expectedVersion),
    dependants: (tx, workspaceId, environmentId) => repo.dependants(tx, workspaceId, environmentId),
    contextSecret: (tx, workspaceId, key) => repo.contextSecret(tx, workspaceId, key),
  };
}

export const environmentsRepository = {
  findByKey(tx: Tx, workspaceId: string, key: string) {
    return tx.environment.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: ENVIRONMENT_SELECT });
  },

  findById(tx: Tx, workspaceId: string, id: string) {
    return tx.environment.findFirst({ where: { workspaceId, id }, select: ENVIRONMENT_SELECT });
  },

  async list(tx: Tx, workspaceId: string, query: ListEnvironmentsQuery) {
    const where: Prisma.EnvironmentWhereInput = {
      workspaceId,
      ...(query.search ? { OR: [{ key: containing(query.search) }, { name: containing(query.search) }] } : {}),
    };
    const rows = await tx.environment.findMany({ where, orderBy: [{ [query.sort]: query.order }, { key: "asc" }], ...pageArgs(query), select: ENVIRONMENT_SELECT });
    const total = await tx.environment.count({ where });
    return { rows, total };
  },

  count(tx: Tx, workspaceId: string) {
    return tx.environment.count({ where: { workspaceId } });
  },

  async nextSortOrder(tx: Tx, workspaceId: string) {
    const { _max } = await tx.environment.aggregate({ where: { workspaceId }, _max: { sortOrder: true } });
    return _max.sortOrder === null ? 0 : _max.sortOrder + 1;
  },

  /**
   * Holds the workspace row until the transaction ends, so environment creation and deletion
   * serialise with each other and with flag creation (whose foreign key takes a key-share lock).
   */
  async lockWorkspace(tx: Tx, workspaceId: string) {
    await tx.$queryRaw`SELECT id FROM workspaces WHERE id = ${workspaceId}::uuid FOR UPDATE`;
  },

  create(tx: Tx, workspaceId: string, data: NewEnvironment) {
    return tx.environment.create({ data: { ...data, workspaceId }, select: ENVIRONMENT_SELECT });
  },

  /** A state for every flag of the workspace in a new environment: off, serving the off variant. */
  async createDefaultStates(tx: Tx, workspaceId: string, environmentId: string): Promise<number> {
    const flags = await tx.flag.findMany({ where: { workspaceId }, select: { id: true, offVariant: true } });
    if (flags.length === 0) return 0;
    const { count } = await tx.flagState.createMany({
      data: flags.map((flag) => ({
        workspaceId,
        environmentId,
        flagId: flag.id,
        enabled: false,
        fallthrough: { variant: flag.offVariant },
      })),
    });
    return count;
  },

  /** Updates only if `expectedVersion` is still current; undefined when it is not. */
  async update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: EnvironmentChanges & { contextSecret?: string }) {
    const { count } = await tx.environment.updateMany({
      where: { workspaceId, id, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 1 ? tx.environment.findUnique({ where: { id }, select: ENVIRONMENT_SELECT }) : undefined;
  },

  /**
   * Sets the master switch if it is not already in that state: undefined when it was (or a
   * concurrent request got there first), so only one of two simultaneous flips is recorded.
   */
  async setMasterSwitch(tx: Tx, workspaceId: string, id: string, change: { isOn: boolean; reason: string | null; changedBy: string | null }) {
    const { count } = await tx.environment.updateMany({
      where: { workspaceId, id, masterSwitchOn: !change.isOn },
      data: {
        masterSwitchOn: change.isOn,
        masterSwitchReason: change.reason,
        masterSwitchChangedAt: new Date(),
        masterSwitchChangedBy: change.changedBy,
        version: { increment: 1 },
      },
    });
    return count === 1 ? tx.environment.findUnique({ where: { id }, select: ENVIRONMENT_SELECT }) : undefined;
  },

  async delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean> {
    const { count } = await tx.environment.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },

  /** What deleting the environment takes with it. */
  async dependants(tx: Tx, workspaceId: string, environmentId: string) {
    const where = { workspaceId, environmentId };
    return {
      flagStates: await tx.flagState.count({ where }),
      tenantOverrides: await tx.tenantOverride.count({ where }),
      userOverrides: await tx.userOverride.count({ where }),
      identities: await tx.identity.count({ where }),
      schedules: await tx.schedule.count({ where }),
      apiKeys: await tx.apiKey.findMany({ where, select: { id: true, secretHash: true, revokedAt: true } }),
    };
  },

  async contextSecret(tx: Tx, workspaceId: string, key: string) {
    return tx.environment.findUnique({
      where: { workspaceId_key: { workspaceId, key } },
      select: { id: true, key: true, contextSecret: true, version: true },
    });
  },
};
