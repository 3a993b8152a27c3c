import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { literal } from "../../infra/like";
import { USER_OVERRIDE_SELECT, type Paged, type UserOverrideRow } from "./overrides.repository";
import { flagLookups, type FlagLookups } from "./overrides.rules";

/** A user override with its flag's key and name, as the environment's list shows it. */
export type UserOverrideWithFlag = UserOverrideRow & { flag: { key: string; name: string } };

/** What an override write sets. */
export interface UserOverrideData {
  variant: string;
  expiresAt: Date | null;
  updatedBy: string | null;
}

/** One flag's overrides in one environment, their user key containing `search` (any case). */
export interface UserOverrideFilter {
  flagId: string;
  environmentId: string;
  search?: string | undefined;
}

/** An environment's overrides of live flags: of one flag, by user key, and only those live at `liveAt` when given. */
export interface EnvironmentUserOverrideFilter {
  environmentId: string;
  flagKey?: string | undefined;
  search?: string | undefined;
  liveAt?: Date | undefined;
}

/**
 * Where the user-overrides service reads and writes, inside the transaction it is given.
 * Every method takes the workspace and keeps to it. Versioned writes answer false when
 * `expectedVersion` is no longer current.
 */
export interface UserOverridesRepository extends FlagLookups {
  find(tx: Tx, workspaceId: string, flagId: string, environmentId: string, userKey: string): Promise<UserOverrideRow | null>;
  /** By user key. */
  list(tx: Tx, workspaceId: string, filter: UserOverrideFilter, skip: number, take: number): Promise<Paged<UserOverrideRow>>;
  /** By user key, then flag key. */
  listInEnvironment(tx: Tx, workspaceId: string, filter: EnvironmentUserOverrideFilter, skip: number, take: number): Promise<Paged<UserOverrideWithFlag>>;
  create(tx: Tx, workspaceId: string, key: { flagId: string; environmentId: string; userKey: string }, data: UserOverrideData): Promise<UserOverrideRow>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: UserOverrideData): Promise<boolean>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
}

const searched = (search: string | undefined) => (search ? { userKey: { contains: literal(search), mode: "insensitive" as const } } : {});

/** The user-overrides repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createUserOverridesRepository(): UserOverridesRepository {
  return {
    ...flagLookups,

    find(tx, workspaceId, flagId, environmentId, userKey) {
      return tx.userOverride.findFirst({ where: { workspaceId, flagId, environmentId, userKey }, select: USER_OVERRIDE_SELECT });
    },

    async list(tx, workspaceId, filter, skip, take) {
      const where = { workspaceId, flagId: filter.flagId, environmentId: filter.environmentId, ...searched(filter.search) };
      const total = await tx.userOverride.count({ where });
      const items = await tx.userOverride.findMany({ where, orderBy: [{ userKey: "asc" }], skip, take, select: USER_OVERRIDE_SELECT });
      return { total, items };
    },

    async listInEnvironment(tx, workspaceId, filter, skip, take) {
      const where: Prisma.UserOverrideWhereInput = {
        workspaceId,
        environmentId: filter.environmentId,
        flag: { archivedAt: null, ...(filter.flagKey ? { key: filter.flagKey } : {}) },
        ...searched(filter.search),
        ...(filter.liveAt ? { OR: [{ expiresAt: null }, { expiresAt: { gt: filter.liveAt } }] } : {}),
      };
      const total = await tx.userOverride.count({ where });
      const items = await tx.userOverride.findMany({
        where,
        orderBy: [{ userKey: "asc" }, { flag: { key: "asc" } }],
        skip,
        take,
        select: { ...USER_OVERRIDE_SELECT, flag: { select: { key: true, name: true } } },
      });
      return { total, items };
    },

    create(tx, workspaceId, key, data) {
      return tx.userOverride.create({ data: { workspaceId, ...key, ...data }, select: USER_OVERRIDE_SELECT });
    },

    async update(tx, workspaceId, id, expectedVersion, data) {
      const { count } = await tx.userOverride.updateMany({ where: { workspaceId, id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
      return count === 1;
    },

    async delete(tx, workspaceId, id, expectedVersion) {
      const { count } = await tx.userOverride.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
      return count === 1;
    },
  };
}
