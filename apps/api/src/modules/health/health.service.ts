import type { Cache } from "../../infra/cache/cache";
import type { Database } from "../../infra/db/database";

export type Dependency = "up" | "down";

export interface Readiness {
  /** `ready`: everything answers; `degraded`: serving, something is down; `down`: cannot serve. */
  status: "ready" | "degraded" | "down";
  checks: { database: Dependency; cache: Dependency };
}

const withTimeout = <T>(promise: Promise<T>, ms: number, fallback: T) =>
  Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

export function createHealthService({ db, cache }: { db: Database; cache: Cache }) {
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
      const checks = { database: database ? "up" : "down", cache: cacheUp ? "up" : "down" } as const;
      const status = database && cacheUp ? "ready" : database || cacheUp ? "degraded" : "down";
      return { status, checks };
    },
  };
}
