import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "./config";
import type { Cache } from "./infra/cache/cache";
import type { Database } from "./infra/db/database";
import { createAuthRepository } from "./modules/auth/auth.repository";
import { createAuthService } from "./modules/auth/auth.service";
import { createChangeNotifier } from "./infra/changes";
import { createApiKeyRevocations } from "./modules/api-keys/api-key-revocations";
import { createApiKeysService } from "./modules/api-keys/api-keys.service";
import { createAuditService } from "./modules/audit/audit.service";
import { createEnvironmentsService } from "./modules/environments/environments.service";
import { createIdentitiesService } from "./modules/identities/identities.service";
import { createMembersService } from "./modules/members/members.service";
import { createModulesService } from "./modules/modules/modules.service";
import { createSegmentsService } from "./modules/segments/segments.service";
import { createTransferService } from "./modules/transfer/transfer.service";
import { createHealthService } from "./modules/health/health.service";
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
  const revocations = createApiKeyRevocations(cache);
  return {
    notifier,
    revocations,
    environments: createEnvironmentsService({ prisma, notifier, revocations }),
    members: createMembersService({ prisma }),
    modules: createModulesService({ prisma, notifier }),
    segments: createSegmentsService({ prisma, notifier }),
    apiKeys: createApiKeysService({ prisma, revocations }),
    identities: createIdentitiesService({ prisma, notifier }),
    audit: createAuditService({ prisma }),
    transfer: createTransferService({ prisma, notifier }),
    auth: createAuthService({ repo: createAuthRepository(db.prisma), refreshTokenTtlMs: config.refreshTokenTtlMs }),
    health: createHealthService({ db, cache }),
    workspaces: createWorkspacesService({ prisma }),
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
