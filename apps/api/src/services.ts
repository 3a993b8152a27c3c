import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "./config";
import type { Cache } from "./infra/cache/cache";
import type { Database } from "./infra/db/database";
import { createAuthRepository } from "./modules/auth/auth.repository";
import { createAuthService } from "./modules/auth/auth.service";
import { createChangeNotifier } from "./infra/changes";
import { createFlagStateService } from "./modules/flags/flag-state.service";
import { createFlagsListService } from "./modules/flags/flags-list.service";
import { createFlagsService } from "./modules/flags/flags.service";
import { createRulesService } from "./modules/flags/rules.service";
import { createHealthService } from "./modules/health/health.service";
import { createScheduleRunner } from "./modules/schedules/schedule-runner";
import { createSchedulesService } from "./modules/schedules/schedules.service";
import { createWorkspacesService } from "./modules/workspaces/workspaces.service";

export interface Infra {
  config: Config;
  db: Database;
  cache: Cache;
  log: FastifyBaseLogger;
}

/** The one composition root: every service is made here from the infrastructure, once. */
export function createServices(infra: Infra) {
  const { config, db, cache } = infra;
  const prisma = db.prisma;
  const notifier = createChangeNotifier(cache);
  return {
    notifier,
    auth: createAuthService({ repo: createAuthRepository(db.prisma), refreshTokenTtlMs: config.refreshTokenTtlMs }),
    health: createHealthService({ db, cache }),
    workspaces: createWorkspacesService({ prisma }),
    flags: createFlagsService({ prisma, notifier }),
    flagsList: createFlagsListService({ prisma }),
    flagState: createFlagStateService({ prisma, notifier }),
    rules: createRulesService({ prisma, notifier }),
    schedules: createSchedulesService({ prisma }),
    scheduleRunner: createScheduleRunner({ prisma, notifier, log: infra.log, intervalMs: config.schedulerIntervalMs }),
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
    app.decorate("infra", infra);
    app.decorate("services", createServices(infra));
  },
  { name: "services" },
);
