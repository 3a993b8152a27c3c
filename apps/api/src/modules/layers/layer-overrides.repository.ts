import type { Tx } from "../../infra/db/scoped";
import { flagLookups, type FlagLookups } from "../overrides/overrides.rules";
import { layersRepository as layers, type LayerOverrideData, type LayerOverrideKey, type LayerOverrideRow, type LayerRow } from "./layers.repository";

/**
 * Where the layer-overrides service reads and writes, inside the transaction it is given: the
 * flag and environment an override names, its layer, and the overrides. Every method takes the
 * workspace and keeps to it. Versioned writes answer false when `expectedVersion` is no longer
 * current.
 */
export interface LayerOverridesRepository extends FlagLookups {
  findLayer(tx: Tx, workspaceId: string, key: string): Promise<LayerRow | null>;
  find(tx: Tx, workspaceId: string, key: LayerOverrideKey): Promise<LayerOverrideRow | null>;
  /** The flag's overrides for the layer's values in the environment, in no particular order. */
  list(tx: Tx, workspaceId: string, flagId: string, environmentId: string, layerId: string): Promise<LayerOverrideRow[]>;
  /** Fails as a unique violation when the value already has an override. */
  create(tx: Tx, workspaceId: string, key: LayerOverrideKey, data: LayerOverrideData): Promise<LayerOverrideRow>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: Partial<LayerOverrideData>): Promise<boolean>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
}

/** The layer-overrides repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createLayerOverridesRepository(): LayerOverridesRepository {
  return {
    ...flagLookups,
    findLayer: (tx, workspaceId, key) => layers.findByKey(tx, workspaceId, key),
    find: (tx, workspaceId, key) => layers.findOverride(tx, workspaceId, key),
    list: (tx, workspaceId, flagId, environmentId, layerId) => layers.listOverrides(tx, workspaceId, flagId, environmentId, layerId),
    create: (tx, workspaceId, key, data) => layers.createOverride(tx, workspaceId, key, data),
    update: (tx, workspaceId, id, expectedVersion, data) => layers.updateOverride(tx, workspaceId, id, expectedVersion, data),
    delete: (tx, workspaceId, id, expectedVersion) => layers.deleteOverride(tx, workspaceId, id, expectedVersion),
  };
}
