import { compile, type CompiledSnapshot } from "@ensign/evaluator";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "./config";
import type { Cache } from "./infra/cache/cache";
import { createChangeNotifier } from "./infra/changes";
import type { Database } from "./infra/db/database";
import { createStatsFlusher } from "./modules/analytics/stats-flusher";
import { createStatsRecorder } from "./modules/analytics/stats-recorder";
import { createStatsService } from "./modules/analytics/stats.service";
import { createAuthRepository } from "./modules/auth/auth.repository";
import { createAuthService } from "./modules/auth/auth.service";
import { createApiKeyVerifier } from "./modules/evaluation/api-keys";
import { createContextTokenVerifier } from "./modules/evaluation/context-tokens";
import { createEvaluationService } from "./modules/evaluation/evaluation.service";
import { createRateLimiter } from "./modules/evaluation/rate-limiter";
import { createStreamHub } from "./modules/evaluation/stream-hub";
import { createTraitsService } from "./modules/evaluation/traits.service";
import { createHealthService } from "./modules/health/health.service";
import { createSealer } from "./modules/snapshots/sealing";
import { createSnapshotCopies } from "./modules/snapshots/snapshot-copies";
import { createSnapshotStore } from "./modules/snapshots/snapshot-store";
import { createVersionWatcher } from "./modules/snapshots/version-watcher";
import { createWorkspacesService } from "./modules/workspaces/workspaces.service";

/** A compiled snapshot with one identity's traits replaced; everything else is shared. */
function withIdentity(compiled: CompiledSnapshot, version: number, key: string, traits: Readonly<Record<string, unknown>>): CompiledSnapshot {
  const identities = new Map(compiled.identities);
  identities.set(key, traits);
  return { ...compiled, version, identities };
}

export interface Infra {
  config: Config;
  db: Database;
  cache: Cache;
  log: FastifyBaseLogger;
}

/** The one composition root: every service is made here from the infrastructure, once. */
export function createServices(infra: Infra) {
  const { config, db, cache, log } = infra;
  const prisma = db.prisma;
  const notifier = createChangeNotifier(cache);

  // Evaluation runtime: snapshots in memory, kept current by the watcher; keys; counters.
  const watcher = createVersionWatcher({ cache, prisma, log, pollMs: config.evaluation.snapshotPollMs });
  notifier.onLocalChange((changes) => watcher.feed(changes));
  const copies = createSnapshotCopies(cache, createSealer(config.jwtSecret, "ensign snapshot copies"));
  const snapshots = createSnapshotStore({ sql: db.sql, copies, watcher, compile, patchIdentity: withIdentity, log });
  const apiKeys = createApiKeyVerifier({ prisma, cache, log, recheckMs: config.evaluation.apiKeyRecheckMs });
  const statsRecorder = createStatsRecorder();
  const statsFlusher = createStatsFlusher({ recorder: statsRecorder, cache, prisma, log, intervalMs: config.evaluation.statsFlushMs });
  const streams = createStreamHub({ store: snapshots, watcher, heartbeatMs: config.evaluation.heartbeatMs });

  return {
    notifier,
    auth: createAuthService({ repo: createAuthRepository(db.prisma), refreshTokenTtlMs: config.refreshTokenTtlMs }),
    health: createHealthService({ db, cache, snapshots }),
    workspaces: createWorkspacesService({ prisma }),
    snapshots,
    watcher,
    apiKeys,
    rateLimiter: createRateLimiter(config.evaluation.rateLimitPerSecond),
    evaluation: createEvaluationService({ prisma, store: snapshots, recorder: statsRecorder, tokens: createContextTokenVerifier() }),
    traits: createTraitsService({ prisma, notifier }),
    streams,
    statsRecorder,
    statsFlusher,
    stats: createStatsService({ prisma }),

    /** Subscriptions and timers: started once the app is built. */
    async start(): Promise<void> {
      // Give Redis a moment to connect, so the first requests can use the shared copies.
      for (const deadline = Date.now() + 2_000; Date.now() < deadline && !(await cache.ping()); ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await Promise.all([watcher.start(), apiKeys.start()]);
      statsFlusher.start();
    },
    /** Ends the live streams before the server closes (they would hold it open). */
    closeStreams(): void {
      streams.close();
    },
    async stop(): Promise<void> {
      snapshots.close();
      await Promise.all([watcher.stop(), apiKeys.stop(), statsFlusher.stop()]);
    },
  };
}

export type Services = ReturnType<typeof createServices>;

declare module "fastify" {
  interface FastifyInstance {
    services: Services;
    infra: Infra;
  }
}

export const servicesPlugin = fp(
  async (app: FastifyInstance, options: { infra: Omit<Infra, "log"> }) => {
    const infra: Infra = { ...options.infra, log: app.log };
    const services = createServices(infra);
    app.decorate("infra", infra);
    app.decorate("services", services);
    await services.start();
    app.addHook("preClose", async () => services.closeStreams());
    app.addHook("onClose", async () => services.stop());
  },
  { name: "services" },
);
