import { compile, withFlags, withTenants } from "@ensign/evaluator";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Config } from "./config";
import type { Cache } from "./infra/cache/cache";
import { createChangeNotifier } from "./infra/changes";
import { createReader } from "./infra/db/scoped";
import { createEnvironmentLimits } from "./infra/environment-limits";
import { createMetrics } from "./infra/metrics";
import { createPeriodicJob } from "./infra/periodic-job";
import { createWriter } from "./infra/writer";
import type { Database } from "./infra/db/database";
import { createStatsFlusher } from "./modules/analytics/stats-flusher";
import { createStatsRecorder } from "./modules/analytics/stats-recorder";
import { createStatsRepository } from "./modules/analytics/stats.repository";
import { createStatsService } from "./modules/analytics/stats.service";
import { createAuthRepository } from "./modules/auth/auth.repository";
import { createAuthService } from "./modules/auth/auth.service";
import { createLoginThrottle } from "./modules/auth/login-throttle";
import { createOidcClient } from "./modules/auth/oidc";
import { createOidcSignInService } from "./modules/auth/oidc.service";
import { createFlagStateRepository, createRulesRepository } from "./modules/flags/flag-state.repository";
import { createFlagStateService } from "./modules/flags/flag-state.service";
import { createFlagsListRepository } from "./modules/flags/flags-list.repository";
import { createFlagsListService } from "./modules/flags/flags-list.service";
import { createFlagsRepository } from "./modules/flags/flags.repository";
import { createFlagsService } from "./modules/flags/flags.service";
import { createRulesService } from "./modules/flags/rules.service";
import { createApiKeyRevocations } from "./modules/api-access/api-key-revocations";
import { createApiKeysRepository } from "./modules/api-keys/api-keys.repository";
import { createApiKeysService } from "./modules/api-keys/api-keys.service";
import { createAccessTokensRepository, createServiceTokensRepository } from "./modules/access-tokens/access-tokens.repository";
import { createPersonalTokensService } from "./modules/access-tokens/personal-tokens.service";
import { createServiceTokensService } from "./modules/access-tokens/service-tokens.service";
import { createAuditRetention } from "./modules/audit/audit-retention";
import { createAuditRepository } from "./modules/audit/audit.repository";
import { createAuditService } from "./modules/audit/audit.service";
import { createEnvironmentsRepository } from "./modules/environments/environments.repository";
import { createEnvironmentsService } from "./modules/environments/environments.service";
import { createIdentitiesRepository } from "./modules/identities/identities.repository";
import { createIdentitiesService } from "./modules/identities/identities.service";
import { createTraitsCache } from "./modules/identities/traits-cache";
import { createInvitationsRepository } from "./modules/invitations/invitations.repository";
import { createInvitationsService } from "./modules/invitations/invitations.service";
import { createMembersRepository } from "./modules/members/members.repository";
import { createMembersService } from "./modules/members/members.service";
import { createPasswordResetsRepository } from "./modules/password-resets/password-resets.repository";
import { createPasswordResetsService } from "./modules/password-resets/password-resets.service";
import { createModulesRepository } from "./modules/feature-modules/feature-modules.repository";
import { createModulesService } from "./modules/feature-modules/feature-modules.service";
import { createRolesRepository } from "./modules/roles/roles.repository";
import { createRolesService } from "./modules/roles/roles.service";
import { createSegmentsRepository } from "./modules/segments/segments.repository";
import { createSegmentsService } from "./modules/segments/segments.service";
import { createTransferService } from "./modules/transfer/transfer.service";
import { createHealthService } from "./modules/health/health.service";
import { createScheduleRunner } from "./modules/schedules/schedule-runner";
import { createSchedulesRepository } from "./modules/schedules/schedules.repository";
import { createSchedulesService } from "./modules/schedules/schedules.service";
import { createBulkOverridesService } from "./modules/overrides/bulk-overrides.service";
import { createTenantOverridesRepository } from "./modules/overrides/tenant-overrides.repository";
import { createTenantOverridesService } from "./modules/overrides/tenant-overrides.service";
import { createOverviewRepository } from "./modules/overview/overview.repository";
import { createOverviewService } from "./modules/overview/overview.service";
import { createUserOverridesRepository } from "./modules/overrides/user-overrides.repository";
import { createUserOverridesService } from "./modules/overrides/user-overrides.service";
import { createLayerOverridesRepository } from "./modules/layers/layer-overrides.repository";
import { createLayerOverridesService } from "./modules/layers/layer-overrides.service";
import { createLayersRepository } from "./modules/layers/layers.repository";
import { createLayersService } from "./modules/layers/layers.service";
import { createTenantAdminAccessRepository } from "./modules/tenant-admin/tenant-admin-access.repository";
import { createTenantAdminAccessService } from "./modules/tenant-admin/tenant-admin-access.service";
import { createTenantAuditRepository } from "./modules/tenant-admin/tenant-audit.repository";
import { createTenantAuditService } from "./modules/tenant-admin/tenant-audit.service";
import { createTenantFeaturesRepository } from "./modules/tenant-admin/tenant-features.repository";
import { createTenantFeaturesService } from "./modules/tenant-admin/tenant-features.service";
import { createTenantEvaluation } from "./modules/snapshots/tenant-evaluation";
import { createTenantsQueryService } from "./modules/tenants/tenants-query.service";
import { createTenantsQueryRepository, createTenantsRepository } from "./modules/tenants/tenants.repository";
import { createTenantsService } from "./modules/tenants/tenants.service";
import { createApiKeyVerifier } from "./modules/api-access/api-key-verifier";
import { createContextTokenVerifier } from "./modules/evaluation/context-tokens";
import { createEvaluationRepository } from "./modules/evaluation/evaluation.repository";
import { createEvaluationService } from "./modules/evaluation/evaluation.service";
import { createRateLimiter } from "./modules/api-access/rate-limiter";
import { createStreamHub } from "./modules/streams/stream-hub";
import { createSealer } from "./modules/snapshots/sealing";
import { createSnapshotCopies } from "./modules/snapshots/snapshot-copies";
import { readDelta } from "./modules/snapshots/snapshot-deltas";
import { createSnapshotStore } from "./modules/snapshots/snapshot-store";
import { createVersionWatcher } from "./modules/snapshots/version-watcher";
import { createWebhookDispatcher } from "./modules/webhooks/dispatcher";
import { createWebhooksRepository } from "./modules/webhooks/webhooks.repository";
import { createWebhooksService } from "./modules/webhooks/webhooks.service";
import { webhookSecretSealer } from "./modules/webhooks/signing";
import { createWorkspacesRepository } from "./modules/workspaces/workspaces.repository";
import { createWorkspacesService } from "./modules/workspaces/workspaces.service";

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
  const auth = createAuthService({ repo: createAuthRepository(db.prisma), refreshTokenTtlMs: config.refreshTokenTtlMs });
  const notifier = createChangeNotifier(cache);
  const accessTokens = createAccessTokensRepository(db.prisma);
  const revocations = createApiKeyRevocations(cache);
  // Every write goes through it: transaction, audit, version bumps, announcements after commit.
  const writing = createWriter({ prisma, notifier, revocations, readDelta });
  const reading = createReader(prisma);
  const limits = createEnvironmentLimits(config.environmentLimits);
  const metrics = createMetrics();
  // Webhook signing secrets are kept sealed: the database alone never holds a usable one.
  const webhookSecrets = webhookSecretSealer(config.jwtSecret);

  // Evaluation runtime: snapshots in memory, kept current by the watcher; keys; counters.
  const watcher = createVersionWatcher({ cache, prisma, log, pollMs: config.evaluation.snapshotPollMs });
  notifier.onLocalChange((changes) => watcher.feed(changes));
  const copies = createSnapshotCopies(cache, createSealer(config.jwtSecret, "ensign snapshot copies"));
  const snapshots = createSnapshotStore({
    sql: db.sql,
    copies,
    watcher,
    compile,
    memoryBudget: config.evaluation.snapshotMemoryBudget,
    log,
    onRebuilt: (seconds) => metrics.snapshotRebuilt(seconds),
    withDelta: (compiled, stored, { flags, tenants }) => {
      // A snapshot that did not compile has nothing to share: compile the new one whole.
      if (compiled.failure !== null) return compile(stored);
      // A created flag takes its place in the snapshot's order, as a full compile would put it.
      const flagOrder = flags.some((flag) => !compiled.flags.has(flag.key)) ? stored.flags.map((flag) => flag.key) : undefined;
      const withChangedFlags = flags.length > 0 ? withFlags(compiled, flags, { flagOrder }) : compiled;
      const tenantOrder = tenants?.some((tenant) => !compiled.tenants.has(tenant.key)) ? stored.tenants.map((tenant) => tenant.key) : undefined;
      const next = tenants && tenants.length > 0 ? withTenants(withChangedFlags, tenants, stored.roles, { tenantOrder }) : withChangedFlags;
      return { ...next, version: stored.version, generatedAt: stored.generatedAt };
    },
    onVerifyMismatch: () => metrics.snapshotDeltaMismatched(),
  });
  snapshots.onSwap((entry) => metrics.snapshotUpdated(entry.source));
  // Snapshots made from deltas are confirmed against a rebuild from PostgreSQL now and then.
  const snapshotVerifier = createPeriodicJob("snapshot verification", () => snapshots.verify(), { intervalMs: config.evaluation.snapshotVerifyMs, log });
  const apiKeyVerifier = createApiKeyVerifier({ prisma, cache, log, recheckMs: config.evaluation.apiKeyRecheckMs });
  // A revocation made through this replica evicts at once, even while the cache is down.
  revocations.onLocalRevocation((message) => {
    for (const key of message.keys) {
      apiKeyVerifier.forget(key.secretHash);
      apiKeyVerifier.forget(key.id);
    }
  });
  const traits = createTraitsCache({ cache, sql: db.sql, log, ...config.evaluation.identityCache, isCacheUp: () => watcher.health().cache });
  const statsRecorder = createStatsRecorder();
  const statsFlusher = createStatsFlusher({ recorder: statsRecorder, cache, prisma, log, intervalMs: config.evaluation.statsFlushMs });
  const tenantEvaluation = createTenantEvaluation({ snapshots });
  const streams = createStreamHub({
    store: snapshots,
    watcher,
    traits,
    heartbeatMs: config.evaluation.heartbeatMs,
    limits: { perKey: config.evaluation.streamsPerKey, perAddress: config.evaluation.streamsPerAddress },
  });
  const health = createHealthService({ db, cache, snapshots });
  metrics.observe({
    *snapshots() {
      for (const entry of snapshots.loaded()) {
        yield { workspace: entry.meta.workspaceSlug, environment: entry.meta.environmentKey, version: entry.version, madeAt: entry.madeAt };
      }
    },
    async dependencies() {
      const { checks } = await health.readiness();
      return { database: checks.database === "up", cache: checks.cache === "up" };
    },
    openStreams: () => streams.connections(),
    snapshotCache: () => snapshots.cacheStats(),
    identityCache: () => traits.stats(),
  });

  return {
    notifier,
    revocations,
    writing,
    environments: createEnvironmentsService({ reading, writing, repo: createEnvironmentsRepository(), outbound: config.outbound }),
    members: createMembersService({ reading, writing, repo: createMembersRepository() }),
    invitations: createInvitationsService({ reading, writing, repo: createInvitationsRepository(prisma), ttlMs: config.accounts.invitationTtlMs }),
    passwordResets: createPasswordResetsService({ reading, writing, repo: createPasswordResetsRepository(prisma), ttlMs: config.accounts.passwordResetTtlMs }),
    modules: createModulesService({ reading, writing, repo: createModulesRepository() }),
    segments: createSegmentsService({ reading, writing, repo: createSegmentsRepository(), limits }),
    roles: createRolesService({ reading, writing, repo: createRolesRepository() }),
    apiKeys: createApiKeysService({ reading, writing, repo: createApiKeysRepository() }),
    personalTokens: createPersonalTokensService({ repo: accessTokens }),
    serviceTokens: createServiceTokensService({ reading, writing, repo: createServiceTokensRepository(prisma) }),
    identities: createIdentitiesService({ reading, writing, repo: createIdentitiesRepository(), traits }),
    traits,
    audit: createAuditService({ reading, repo: createAuditRepository() }),
    auditRetention: createAuditRetention({ prisma, writing, log: infra.log, intervalMs: config.auditRetentionIntervalMs }),
    transfer: createTransferService({ writing, limits }),
    auth,
    loginThrottle: createLoginThrottle({ cache, perAddressAndAccount: config.loginRateLimit }),
    /** Sign-in through the OpenID Connect provider; null when single sign-on is not configured. */
    oidc: config.oidc ? createOidcSignInService({ client: createOidcClient(config.oidc), auth }) : null,
    health,
    workspaces: createWorkspacesService({ reading, writing, repo: createWorkspacesRepository(prisma) }),
    flags: createFlagsService({ reading, writing, repo: createFlagsRepository() }),
    flagsList: createFlagsListService({ reading, repo: createFlagsListRepository() }),
    flagState: createFlagStateService({ reading, writing, repo: createFlagStateRepository(), limits }),
    rules: createRulesService({ writing, repo: createRulesRepository(), limits }),
    schedules: createSchedulesService({ reading, writing, repo: createSchedulesRepository() }),
    scheduleRunner: createScheduleRunner({ writing, log: infra.log, intervalMs: config.schedulerIntervalMs, metrics }),
    tenants: createTenantsService({ writing, repo: createTenantsRepository() }),
    tenantsQuery: createTenantsQueryService({ reading, repo: createTenantsQueryRepository(), evaluation: tenantEvaluation }),
    tenantOverrides: createTenantOverridesService({ reading, writing, repo: createTenantOverridesRepository(), limits }),
    userOverrides: createUserOverridesService({ reading, writing, repo: createUserOverridesRepository(), limits }),
    bulkOverrides: createBulkOverridesService({ writing, limits }),
    layers: createLayersService({ reading, writing, repo: createLayersRepository() }),
    layerOverrides: createLayerOverridesService({ reading, writing, repo: createLayerOverridesRepository() }),
    tenantAdminAccess: createTenantAdminAccessService({ repo: createTenantAdminAccessRepository(prisma) }),
    tenantFeatures: createTenantFeaturesService({ reading, writing, repo: createTenantFeaturesRepository(), evaluation: tenantEvaluation, limits }),
    tenantAudit: createTenantAuditService({ reading, repo: createTenantAuditRepository() }),
    snapshots,
    watcher,
    apiKeyVerifier,
    rateLimiter: createRateLimiter(config.evaluation.rateLimitPerSecond),
    evaluation: createEvaluationService({ reading, repo: createEvaluationRepository(), store: snapshots, recorder: statsRecorder, tokens: createContextTokenVerifier({ outbound: config.outbound }), metrics, traits, log }),
    metrics,
    streams,
    statsRecorder,
    statsFlusher,
    stats: createStatsService({ reading, repo: createStatsRepository() }),
    webhooks: createWebhooksService({ reading, writing, repo: createWebhooksRepository(), sealer: webhookSecrets, outbound: config.outbound, emailEnabled: config.smtp !== null, retryForMs: config.webhooks.retryForMs }),
    webhookDispatcher: createWebhookDispatcher({ prisma, sql: db.sql, sealer: webhookSecrets, outbound: config.outbound, log, smtp: config.smtp, listen: db.listen, ...config.webhooks }),
    overview: createOverviewService({ reading, repo: createOverviewRepository() }),

    /** Subscriptions and timers: started once the app is built. */
    async start(): Promise<void> {
      // Give Redis a moment to connect, so the first requests can use the shared copies.
      for (const deadline = Date.now() + 2_000; Date.now() < deadline && !(await cache.ping()); ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await Promise.all([watcher.start(), apiKeyVerifier.start(), traits.start()]);
      statsFlusher.start();
      snapshotVerifier.start();
    },
    /** Ends the live streams before the server closes (they would hold it open). */
    closeStreams(): void {
      streams.close();
    },
    async stop(): Promise<void> {
      snapshots.close();
      await Promise.all([watcher.stop(), apiKeyVerifier.stop(), statsFlusher.stop(), traits.stop(), snapshotVerifier.stop()]);
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
