import type { ListModulesQuery } from "@ensign/contracts/modules";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { literal } from "../../infra/like";
import { containing, pageArgs } from "../../infra/paging";

const MODULE_SELECT = {
  id: true,
  key: true,
  name: true,
  description: true,
  keyPrefix: true,
  tenantManageable: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { flags: true } },
} satisfies Prisma.ModuleSelect;

export type ModuleRow = Prisma.ModuleGetPayload<{ select: typeof MODULE_SELECT }>;

function orderBy(query: ListModulesQuery): Prisma.ModuleOrderByWithRelationInput[] {
  if (query.sort === "flagCount") return [{ flags: { _count: query.order } }, { key: "asc" }];
  return [{ [query.sort]: query.order }, { key: "asc" }];
}

/** What a module write sets. */
export interface ModuleData {
  name?: string;
  description?: string;
  keyPrefix?: string | null;
  tenantManageable?: boolean;
}

/**
 * Where the modules service reads and writes, inside the transaction it is given. Every method
 * takes the workspace and keeps to it. Versioned writes answer null or false when
 * `expectedVersion` is no longer current.
 */
export interface ModulesRepository {
  /** Searched by key and name, sorted as asked, then by key. */
  list(tx: Tx, workspaceId: string, query: ListModulesQuery): Promise<{ rows: ModuleRow[]; total: number }>;
  findByKey(tx: Tx, workspaceId: string, key: string): Promise<ModuleRow | null>;
  /** Up to `limit` keys of the module's flags that do not start with `prefix`, by key. */
  keysWithout(tx: Tx, workspaceId: string, id: string, prefix: string, limit: number): Promise<string[]>;
  create(tx: Tx, workspaceId: string, data: Required<ModuleData> & { key: string; name: string }): Promise<ModuleRow>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: ModuleData): Promise<ModuleRow | null>;
  /** Holds the module until the transaction ends: a flag joining it meanwhile waits, then is counted. */
  lock(tx: Tx, workspaceId: string, id: string): Promise<void>;
  /** Some of the module's flags, by key, to name them when it cannot be deleted. */
  flagKeys(tx: Tx, workspaceId: string, moduleId: string, take: number): Promise<{ key: string }[]>;
  /** How many tenants have a switch of the module. */
  tenantSwitches(tx: Tx, workspaceId: string, moduleId: string): Promise<number>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
}

/** The modules repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createModulesRepository(): ModulesRepository {
  return modulesRepository;
}

const modulesRepository: ModulesRepository = {
  async list(tx: Tx, workspaceId: string, query: ListModulesQuery) {
    const where: Prisma.ModuleWhereInput = {
      workspaceId,
      ...(query.search ? { OR: [{ key: containing(query.search) }, { name: containing(query.search) }] } : {}),
    };
    const rows = await tx.module.findMany({ where, orderBy: orderBy(query), ...pageArgs(query), select: MODULE_SELECT });
    const total = await tx.module.count({ where });
    return { rows, total };
  },

  findByKey(tx: Tx, workspaceId: string, key: string) {
    return tx.module.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: MODULE_SELECT });
  },

  /** Up to `limit` keys of the module's flags that do not start with `prefix`. */
  async keysWithout(tx: Tx, workspaceId: string, id: string, prefix: string, limit: number): Promise<string[]> {
    const rows = await tx.flag.findMany({
      where: { workspaceId, moduleId: id, NOT: { key: { startsWith: literal(prefix) } } },
      orderBy: { key: "asc" },
      take: limit,
      select: { key: true },
    });
    return rows.map((row) => row.key);
  },

  create(tx: Tx, workspaceId: string, data: Required<ModuleData> & { key: string; name: string }) {
    return tx.module.create({ data: { ...data, workspaceId }, select: MODULE_SELECT });
  },

  async update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: ModuleData) {
    const { count } = await tx.module.updateMany({
      where: { workspaceId, id, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 1 ? tx.module.findUnique({ where: { id }, select: MODULE_SELECT }) : null;
  },

  /** Holds the module until the transaction ends: a flag joining it meanwhile (a key-share lock) waits, then is counted. */
  async lock(tx: Tx, workspaceId: string, id: string) {
    await tx.$queryRaw`SELECT id FROM modules WHERE workspace_id = ${workspaceId}::uuid AND id = ${id}::uuid FOR UPDATE`;
  },

  /** Some of the module's flags, to name them when it cannot be deleted. */
  flagKeys(tx: Tx, workspaceId: string, moduleId: string, take: number) {
    return tx.flag.findMany({ where: { workspaceId, moduleId }, orderBy: { key: "asc" }, take, select: { key: true } });
  },

  tenantSwitches(tx: Tx, workspaceId: string, moduleId: string) {
    return tx.tenantModule.count({ where: { workspaceId, moduleId } });
  },

  async delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean> {
    const { count } = await tx.module.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },
};
