import type { Cache } from "../../infra/cache/cache";
import type { Database } from "../../infra/db/database";

export type Dependency = "up" | "down";

export interface Readiness {
  /**
   * `ready`: everything answers; `degraded`: serving, but PostgreSQL or Redis is down (evaluation
   * answers from the snapshots in memory or in Redis); `draining`: shutting down, still answering
   * but taking no new work; `down`: nothing can be served.
   */
  status: "ready" | "degraded" | "draining" | "down";
  checks: { database: Dependency; cache: Dependency; snapshots: "loaded" | "none" };
  /** Environments whose snapshot this replica holds in memory. */
  environments: number;
}

const withTimeout = <T>(promise: Promise<T>, ms: number, fallback: T) =>
  Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

export function createHealthService({ db, cache, snapshots }: { db: Database; cache: Cache; snapshots: { size(): number } }) {
  let isDraining = false;
  return {
    /**
     * From now on this replica is on its way out: readiness answers 503 `draining` so load
     * balancers stop sending it work, and every answer closes its connection.
     */
    drain(): void {
      isDraining = true;
    },
    isDraining: () => isDraining,

    async readiness(): Promise<Readiness> {
      const [database, cacheUp] = await Promise.all([
        withTimeout(
          db.sql.query("SELECT 1").then(
            () => true,
            () => false,
          ),
          1_500,
          false,
        ),
        withTimeout(cache.ping(), 1_500, false),
      ]);
      const environments = snapshots.size();
      const checks = {
        database: database ? "up" : "down",
        cache: cacheUp ? "up" : "down",
        snapshots: environments > 0 ? "loaded" : "none",
      } as const;
      // Without PostgreSQL a replica still serves the snapshots it holds, or the copies in Redis.
      const status = isDraining ? "draining" : database && cacheUp ? "ready" : database || cacheUp || environments > 0 ? "degraded" : "down";
      return { status, checks, environments };
    },
  };
}
