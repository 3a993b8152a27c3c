import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

const LAYER_SELECT = {
  id: true,
  key: true,
  name: true,
  description: true,
  attribute: true,
  values: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  _count: { select: { overrides: true } },
} satisfies Prisma.OverrideLayerSelect;

export type LayerRow = Prisma.OverrideLayerGetPayload<{ select: typeof LAYER_SELECT }>;

export const LAYER_OVERRIDE_SELECT = {
  id: true,
  value: true,
  variant: true,
  locked: true,
  expiresAt: true,
  updatedBy: true,
  version: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.LayerOverrideSelect;

export type LayerOverrideRow = Prisma.LayerOverrideGetPayload<{ select: typeof LAYER_OVERRIDE_SELECT }>;

export interface LayerOverrideKey {
  flagId: string;
  environmentId: string;
  layerId: string;
  value: string;
}

export interface LayerOverrideData {
  variant: string;
  locked: boolean;
  expiresAt: Date | null;
  updatedBy: string | null;
}

export interface LayerData {
  key: string;
  name: string;
  description: string;
  attribute: string;
  values: string[];
}

export type LayerChanges = Partial<Omit<LayerData, "key">>;

/** An override of a layer, with the flag and environment it belongs to. */
export type LayerOverrideOfLayer = LayerOverrideRow & { flag: { key: string }; environment: { id: string; key: string } };

/**
 * Where the layers service reads and writes, inside the transaction it is given. Every method
 * takes the workspace and keeps to it. Versioned writes answer null or false when
 * `expectedVersion` is no longer current.
 */
export interface LayersRepository {
  /** In the order they were made: the default override order puts them so. */
  list(tx: Tx, workspaceId: string): Promise<LayerRow[]>;
  findByKey(tx: Tx, workspaceId: string, key: string): Promise<LayerRow | null>;
  /** The stored override order, locked until the transaction ends so order changes never interleave. */
  lockedOrder(tx: Tx, workspaceId: string): Promise<string[]>;
  /** The stored override order; empty for the default one. */
  storedOrder(tx: Tx, workspaceId: string): Promise<string[]>;
  saveOrder(tx: Tx, workspaceId: string, order: string[]): Promise<void>;
  create(tx: Tx, workspaceId: string, data: LayerData): Promise<LayerRow>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: LayerChanges): Promise<LayerRow | null>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
  /** How many overrides each of `values` has, across flags and environments (values without any are absent). */
  overridesByValue(tx: Tx, workspaceId: string, layerId: string, values: string[]): Promise<{ value: string; count: number }[]>;
  /** Every override of the layer, by value. */
  overridesOf(tx: Tx, workspaceId: string, layerId: string): Promise<LayerOverrideOfLayer[]>;
}

/** The layers repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createLayersRepository(): LayersRepository {
  const layers = layersRepository;
  return {
    list: (tx, workspaceId) => layers.list(tx, workspaceId),
    findByKey: (tx, workspaceId, key) => layers.findByKey(tx, workspaceId, key),
    lockedOrder: (tx, workspaceId) => layers.lockedOrder(tx, workspaceId),
    storedOrder: (tx, workspaceId) => layers.storedOrder(tx, workspaceId),
    saveOrder: (tx, workspaceId, order) => layers.saveOrder(tx, workspaceId, order),
    create: (tx, workspaceId, data) => layers.create(tx, workspaceId, data),
    update: async (tx, workspaceId, id, expectedVersion, data) => (await layers.update(tx, workspaceId, id, expectedVersion, data)) ?? null,
    delete: (tx, workspaceId, id, expectedVersion) => layers.delete(tx, workspaceId, id, expectedVersion),
    overridesByValue: (tx, workspaceId, layerId, values) => layers.overridesByValue(tx, workspaceId, layerId, values),
    overridesOf: (tx, workspaceId, layerId) => layers.overridesOf(tx, workspaceId, layerId),
  };
}

export const layersRepository = {
  /** In the order they were made: the default override order puts them so. */
  list(tx: Tx, workspaceId: string) {
    return tx.overrideLayer.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: LAYER_SELECT });
  },

  findByKey(tx: Tx, workspaceId: string, key: string) {
    return tx.overrideLayer.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: LAYER_SELECT });
  },

  /** The workspace row locked until the transaction ends, so order changes never interleave. */
  async lockedOrder(tx: Tx, workspaceId: string): Promise<string[]> {
    const [row] = await tx.$queryRaw<{ override_order: string[] | null }[]>`
      SELECT override_order FROM workspaces WHERE id = ${workspaceId}::uuid FOR UPDATE`;
    return row?.override_order ?? [];
  },

  async storedOrder(tx: Tx, workspaceId: string): Promise<string[]> {
    const row = await tx.workspace.findUnique({ where: { id: workspaceId }, select: { overrideOrder: true } });
    return row?.overrideOrder ?? [];
  },

  async saveOrder(tx: Tx, workspaceId: string, order: string[]) {
    await tx.workspace.update({ where: { id: workspaceId }, data: { overrideOrder: order } });
  },

  create(tx: Tx, workspaceId: string, data: LayerData) {
    return tx.overrideLayer.create({ data: { ...data, workspaceId }, select: LAYER_SELECT });
  },

  async update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: LayerChanges) {
    const { count } = await tx.overrideLayer.updateMany({ where: { workspaceId, id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
    return count === 1 ? tx.overrideLayer.findUnique({ where: { id }, select: LAYER_SELECT }) : undefined;
  },

  async delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean> {
    const { count } = await tx.overrideLayer.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },

  /** How many overrides each of `values` has, across flags and environments. */
  async overridesByValue(tx: Tx, workspaceId: string, layerId: string, values: string[]) {
    const rows = await tx.layerOverride.groupBy({ by: ["value"], where: { workspaceId, layerId, value: { in: values } }, _count: { _all: true } });
    return rows.map((row) => ({ value: row.value, count: row._count._all }));
  },

  /** Every override of the layer, for the audit entry of its deletion. */
  overridesOf(tx: Tx, workspaceId: string, layerId: string) {
    return tx.layerOverride.findMany({
      where: { workspaceId, layerId },
      orderBy: [{ value: "asc" }],
      select: { ...LAYER_OVERRIDE_SELECT, flag: { select: { key: true } }, environment: { select: { id: true, key: true } } },
    });
  },

  findOverride(tx: Tx, workspaceId: string, key: LayerOverrideKey) {
    return tx.layerOverride.findFirst({ where: { workspaceId, ...key }, select: LAYER_OVERRIDE_SELECT });
  },

  listOverrides(tx: Tx, workspaceId: string, flagId: string, environmentId: string, layerId: string) {
    return tx.layerOverride.findMany({ where: { workspaceId, flagId, environmentId, layerId }, select: LAYER_OVERRIDE_SELECT });
  },

  createOverride(tx: Tx, workspaceId: string, key: LayerOverrideKey, data: LayerOverrideData) {
    return tx.layerOverride.create({ data: { workspaceId, ...key, ...data }, select: LAYER_OVERRIDE_SELECT });
  },

  async updateOverride(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: Partial<LayerOverrideData>) {
    const { count } = await tx.layerOverride.updateMany({ where: { workspaceId, id, version: expectedVersion }, data: { ...data, version: { increment: 1 } } });
    return count === 1;
  },

  async deleteOverride(tx: Tx, workspaceId: string, id: string, expectedVersion: number) {
    const { count } = await tx.layerOverride.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },
};
