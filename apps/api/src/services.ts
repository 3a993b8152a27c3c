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
import { createScheduleRunner } from "./modules/schedules/schedule-runner";
import { createSchedulesService } from "./modules/schedules/schedules.service";
import { createBulkOverridesService } from "./modules/overrides/bulk-overrides.service";
import { createTenantOverridesService } from "./modules/overrides/tenant-overrides.service";
import { createUserOverridesService } from "./modules/overrides/user-overrides.service";
import { createTenantAdminAccessService } from "./modules/tenant-admin/tenant-admin-access.service";
import { createTenantAuditService } from "./modules/tenant-admin/tenant-audit.service";
import { createTenantFeaturesService } from "./modules/tenant-admin/tenant-features.service";
import { createTenantEvaluation } from "./modules/tenancy/tenant-evaluation";
import { createTenantsQueryService } from "./modules/tenants/tenants-query.service";
import { createTenantsService } from "./modules/tenants/tenants.service";
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
  const tenantEvaluation = createTenantEvaluation();
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
    flags: createFlagsService({ prisma, notifier }),
    flagsList: createFlagsListService({ prisma }),
    flagState: createFlagStateService({ prisma, notifier }),
    rules: createRulesService({ prisma, notifier }),
    schedules: createSchedulesService({ prisma }),
    scheduleRunner: createScheduleRunner({ prisma, notifier, log: infra.log, intervalMs: config.schedulerIntervalMs }),
    tenants: createTenantsService({ prisma, notifier }),
    tenantsQuery: createTenantsQueryService({ prisma, evaluation: tenantEvaluation }),
    tenantOverrides: createTenantOverridesService({ prisma, notifier }),
    userOverrides: createUserOverridesService({ prisma, notifier }),
    bulkOverrides: createBulkOverridesService({ prisma, notifier }),
    tenantAdminAccess: createTenantAdminAccessService({ prisma }),
    tenantFeatures: createTenantFeaturesService({ prisma, notifier, evaluation: tenantEvaluation }),
    tenantAudit: createTenantAuditService({ prisma }),
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
