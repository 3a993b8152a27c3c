import type { Cache } from "../../infra/cache/cache";
import type { Database } from "../../infra/db/database";

export type Dependency = "up" | "down";

export interface Readiness {
  /**
   * `ready`: everything answers; `degraded`: serving, but PostgreSQL or Redis is down (evaluation
   * answers from the snapshots in memory or in Redis); `down`: nothing can be served.
   */
  status: "ready" | "degraded" | "down";
  checks: { database: Dependency; cache: Dependency; snapshots: "loaded" | "none" };
  /** Environments whose snapshot this replica holds in memory. */
  environments: number;
}

const withTimeout = <T>(promise: Promise<T>, ms: number, fallback: T) =>
  Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

export function createHealthService({ db, cache, snapshots }: { db: Database; cache: Cache; snapshots: { size(): number } }) {
  return {
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
      const status = database && cacheUp ? "ready" : database || cacheUp || environments > 0 ? "degraded" : "down";
      return { status, checks, environments };
    },
  };
}
