import type { ListEnvironmentsQuery } from "@ensign/contracts/environments";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
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

  create(tx: Tx, workspaceId: string, data: { key: string; name: string; color: string | null; sortOrder: number; contextSecret: string; requireContextToken: boolean; isProduction: boolean }) {
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
