import type { SnapshotFlag, SnapshotTenant } from "@ensign/contracts/snapshot";
import type { Cache } from "./cache/cache";
import type { Tx } from "./db/scoped";

/** The Redis channel on which every replica hears that an environment's snapshot changed. */
export const ENVIRONMENT_CHANGED_CHANNEL = "environment-changed";

export interface EnvironmentChange {
  workspaceId: string;
  environmentId: string;
  environmentKey: string;
  /** The environment's snapshot version after the change. */
  version: number;
  /** Set when the environment was deleted: replicas drop its snapshot and end its streams. */
  isDeleted?: boolean;
  /**
   * What changed, when the change touched only some flags: those flags as the new version
   * stores them. A replica holding exactly `fromVersion` replaces them instead of reloading.
   */
  delta?: SnapshotDelta;
}

export interface SnapshotDelta {
  fromVersion: number;
  flags: SnapshotFlag[];
  /** Tenants the write created or changed (attributes, module switches), as the new version stores them. */
  tenants?: SnapshotTenant[];
}

/**
 * Bumps the snapshot version of the given environments (all of the workspace's when `ids` is
 * absent), inside the write's transaction: the version moves exactly when the change commits.
 */
export async function bumpEnvironments(tx: Tx, workspaceId: string, ids?: string[]): Promise<EnvironmentChange[]> {
  const rows = await tx.environment.updateManyAndReturn({
    where: { workspaceId, ...(ids ? { id: { in: ids } } : {}) },
    data: { snapshotVersion: { increment: 1 } },
    select: { id: true, key: true, snapshotVersion: true },
  });
  return rows.map((row) => ({ workspaceId, environmentId: row.id, environmentKey: row.key, version: row.snapshotVersion }));
}

export type ChangeListener = (changes: EnvironmentChange[]) => void;

/**
 * Tells every replica (through the cache's pub/sub) and this process's listeners that
 * environments changed. Called after the transaction commits; a lost message is caught up by
 * the replicas' version polling, so a failure to publish never fails the write.
 */
export function createChangeNotifier(cache: Cache) {
  const listeners = new Set<ChangeListener>();
  return {
    async published(changes: EnvironmentChange[]): Promise<void> {
      if (changes.length === 0) return;
      for (const listener of listeners) listener(changes);
      await cache.publish(ENVIRONMENT_CHANGED_CHANNEL, JSON.stringify(changes)).catch(() => undefined);
    },
    onLocalChange(listener: ChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ChangeNotifier = ReturnType<typeof createChangeNotifier>;
