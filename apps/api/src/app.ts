import fastifyCookie from "@fastify/cookie";
import fastifyHelmet from "@fastify/helmet";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RouteOptions } from "fastify";
import type { Bindings, ChildLoggerOptions } from "pino";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { Config } from "./config";
import { adminUiPlugin } from "./infra/admin-ui";
import { authPlugin } from "./infra/auth";
import type { Cache } from "./infra/cache/cache";
import type { Database } from "./infra/db/database";
import { clientErrorHandler, errorHandlerPlugin, frameworkErrorHandler } from "./infra/error-handler";
import { jsonBodyPlugin } from "./infra/json-body";
import { REQUEST_ID_HEADER, requestIdOf } from "./infra/request-id";
import { storableStringsPlugin } from "./infra/storable-strings";
import { authRoutes, REFRESH_COOKIE } from "./modules/auth/auth.routes";
import { oidcRoutes } from "./modules/auth/oidc.routes";
import { flagStateRoutes } from "./modules/flags/flag-state.routes";
import { flagsRoutes } from "./modules/flags/flags.routes";
import { apiKeysRoutes } from "./modules/api-keys/api-keys.routes";
import { personalTokensRoutes, serviceTokensRoutes } from "./modules/access-tokens/access-tokens.routes";
import { auditRoutes } from "./modules/audit/audit.routes";
import { environmentsRoutes } from "./modules/environments/environments.routes";
import { identitiesRoutes } from "./modules/identities/identities.routes";
import { invitationAcceptRoutes, invitationsRoutes } from "./modules/invitations/invitations.routes";
import { membersRoutes } from "./modules/members/members.routes";
import { passwordResetIssueRoutes, passwordResetRedeemRoutes } from "./modules/password-resets/password-resets.routes";
import { modulesRoutes } from "./modules/feature-modules/feature-modules.routes";
import { rolesRoutes, tenantAdminRolesRoutes } from "./modules/roles/roles.routes";
import { layersRoutes } from "./modules/layers/layers.routes";
import { segmentsRoutes } from "./modules/segments/segments.routes";
import { transferRoutes } from "./modules/transfer/transfer.routes";
import { openApiDocument, transformDocument, transformRouteSchema } from "./infra/openapi";
import { statsRoutes } from "./modules/analytics/stats.routes";
import { overviewRoutes } from "./modules/overview/overview.routes";
import { evaluationRoutes } from "./modules/evaluation/evaluation.routes";
import { liveRoutes } from "./modules/evaluation/live.routes";
import { healthRoutes } from "./modules/health/health.routes";
import { schedulesRoutes } from "./modules/schedules/schedules.routes";
import { overridesRoutes } from "./modules/overrides/overrides.routes";
import { tenantAdminRoutes } from "./modules/tenant-admin/tenant-admin.routes";
import { tenantsRoutes } from "./modules/tenants/tenants.routes";
import { webhooksRoutes } from "./modules/webhooks/webhooks.routes";
import { workspacesRoutes } from "./modules/workspaces/workspaces.routes";
import { servicesPlugin } from "./services";

export interface AppOptions {
  config: Config;
  db: Database;
  cache: Cache;
  /** Fastify's logger option; tests pass `false`. */
  logger?: FastifyServerOptions["logger"];
  /** Called for every route as it is added: the whole route table, for whoever needs to see it. */
  onRoute?: (route: RouteOptions) => void;
}

/** Where secrets may appear in a request or error: never logged. */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.passwordHash",
  "*.secret",
  "*.refreshToken",
  "*.accessToken",
  "*.contextSecret",
  'req.headers["x-ensign-context"]',
];

/** Query parameters that carry credentials (EventSource cannot send headers): never logged. */
const SECRET_PARAMS = /([?&](?:apiKey|accessToken|contextToken)=)[^&]*/g;

/** Evaluation paths, whose query strings carry end users' identities and context values. */
const EVALUATION_PATHS = /^\/(?:v1\/flags|v1\/stream|v1\/config|ofrep\/)/;
/** The identity provider's way back: its query carries an authorization code and the state. */
const OIDC_CALLBACK_PATH = /^\/v1\/auth\/oidc\/callback(?:\?|$)/;
/** `/v1/identities/<end user's key>/…`: the key is an end user's identity. */
const IDENTITY_PATH = /^(\/v1\/identities\/)[^/?]+/;
/** The admin app's `/invite/<token>` and `/reset/<token>` pages: the token is a one-time credential. */
const LINK_PATH = /^(\/(?:invite|reset)\/)[^/?]+/;

/**
 * A URL as logs may hold it: credentials in the query redacted (the single sign-on callback's
 * whole query), and nothing of an end user's identity or context (the query of evaluation
 * requests, the key in identity paths).
 */
export function loggedUrl(url: string): string {
  if (EVALUATION_PATHS.test(url) || OIDC_CALLBACK_PATH.test(url)) {
    const query = url.indexOf("?");
    return query === -1 ? url : `${url.slice(0, query)}?[redacted]`;
  }
  return url.replace(IDENTITY_PATH, "$1[redacted]").replace(LINK_PATH, "$1[redacted]").replace(SECRET_PARAMS, "$1[redacted]");
}

/** The request as logged: method, URL without credentials or end users' data, host, remote address. */
export function loggedRequest(request: { method: string; url: string; host?: string; hostname?: string; ip?: string; id?: string }) {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    host: request.host ?? request.hostname,
    remoteAddress: request.ip,
  };
}

/** The logger the server runs with: secrets redacted, requests logged without credentials. */
export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    serializers: { req: loggedRequest },
  };
}

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/**
 * A request logger that creates the real child (with its bindings, which pino serializes and
 * redacts) only when something is actually logged at an enabled level: most requests log
 * nothing. A class, so a request costs one small object rather than a closure per level.
 */
class LazyChildLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(value: string) {
    this.real().level = value;
  }

  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private write(level: Level, args: unknown[]): void {
    const isEnabled = (this.parent as unknown as { isLevelEnabled?: (l: string) => boolean }).isLevelEnabled?.(level) ?? true;
    if (this.made || isEnabled) (this.real()[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]) {
    this.write("fatal", args);
  }
  error(...args: unknown[]) {
    this.write("error", args);
  }
  warn(...args: unknown[]) {
    this.write("warn", args);
  }
  info(...args: unknown[]) {
    this.write("info", args);
  }
  debug(...args: unknown[]) {
    this.write("debug", args);
  }
  trace(...args: unknown[]) {
    this.write("trace", args);
  }
  silent() {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}

const lazyChildLogger = (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) =>
  new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;

/**
 * Builds the API: infrastructure plugins, then services, then the modules. It never listens;
 * `server.ts` does, and tests call `app.inject`.
 */
export async function buildApp({ config, db, cache, logger = false, onRoute }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (request) => requestIdOf(request.headers),
    routerOptions: { maxParamLength: 500 },
    // Routing failures (bad percent-encoding, over-long parameters) answer in the one error shape.
    frameworkErrors: frameworkErrorHandler,
    // What Node's HTTP parser refuses (malformed or oversized requests) is answered in it too.
    clientErrorHandler,
    // Closing finishes the requests in flight: idle kept-alive connections are closed, busy ones
    // answer (with `Connection: close`) and then close. Requests on them are served, not refused.
    forceCloseConnections: "idle",
    return503OnClosing: false,
    // A request's child logger is made on its first log line at an enabled level, not per request.
    childLoggerFactory: lazyChildLogger,
  });
  if (onRoute) app.addHook("onRoute", onRoute);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Set on arrival, so every answer carries them (errors included) without an onSend hook on the
  // hot path. No browser may sniff a JSON or event-stream answer into a script or a page. While
  // the replica drains before stopping, every answer also closes its connection.
  app.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id).header("x-content-type-options", "nosniff");
    if (app.services.health.isDraining()) reply.header("connection", "close");
    done();
  });
  // Every answer is counted by route pattern.
  app.addHook("onResponse", (request, reply, done) => {
    app.services.metrics.httpRequest(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  await app.register(errorHandlerPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(storableStringsPlugin);
  await app.register(fastifySwagger, { openapi: openApiDocument({ refreshCookie: REFRESH_COOKIE }), transform: transformRouteSchema, transformObject: transformDocument });

  await app.register(servicesPlugin, { infra: { config, db, cache } });
  await app.register(authPlugin, { secret: config.jwtSecret, accessTokenTtlMs: config.accessTokenTtlMs });

  await app.register(healthRoutes);
  // The API-key evaluation endpoints: JSON for programs, the hottest path. They live outside the
  // browser-facing context below, so helmet's page headers and cookie parsing cost them nothing.
  await app.register(evaluationRoutes, { corsOrigins: config.corsOrigins, bodyLimit: config.evaluation.bodyLimit });

  // Applies due schedules and sweeps expired overrides; every replica runs it, each item applies once.
  if (config.schedulerEnabled) app.addHook("onReady", async () => app.services.scheduleRunner.start());
  app.addHook("onClose", async () => app.services.scheduleRunner.stop());
  // Exports and purges audit entries past each workspace's retention period (none by default).
  if (config.schedulerEnabled) app.addHook("onReady", async () => app.services.auditRetention.start());
  app.addHook("onClose", async () => app.services.auditRetention.stop());
  // Delivers webhooks and notifications from the outbox; every replica runs it, each delivery is claimed by one.
  if (config.schedulerEnabled) app.addHook("onReady", async () => app.services.webhookDispatcher.start());
  app.addHook("onClose", async () => app.services.webhookDispatcher.stop());

  // Everything a browser session uses: the admin API, its cookies, the docs and the admin app.
  await app.register(async (browserFacing) => {
    await browserFacing.register(fastifyHelmet, {
      // The admin app and the API docs only load their own scripts; inline styles are React's.
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      crossOriginResourcePolicy: { policy: "same-site" },
      // What frame-ancestors 'none' says, for browsers that only read X-Frame-Options.
      xFrameOptions: { action: "deny" },
    });
    await browserFacing.register(fastifySwaggerUi, { routePrefix: "/docs", staticCSP: true });
    await browserFacing.register(fastifyCookie);

    await browserFacing.register(authRoutes, {
      prefix: "/v1/auth",
      accessTokenTtlMs: config.accessTokenTtlMs,
      secureCookies: config.env === "production",
      passwordLogin: config.passwordLogin,
      oidcLabel: config.oidc?.label ?? null,
    });
    await browserFacing.register(personalTokensRoutes, { prefix: "/v1/auth/tokens" });
    await browserFacing.register(oidcRoutes, {
      prefix: "/v1/auth/oidc",
      appUrl: config.oidc?.appUrl ?? null,
      secureCookies: config.env === "production",
      secret: config.jwtSecret,
    });

    await browserFacing.register(workspacesRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(flagsRoutes, { prefix: "/v1/workspaces/:workspace/flags" });
    await browserFacing.register(flagStateRoutes, { prefix: "/v1/workspaces/:workspace/flags/:key/environments/:env" });
    await browserFacing.register(schedulesRoutes, { prefix: "/v1/workspaces/:workspace/flags/:key/environments/:env/schedules" });

    await browserFacing.register(tenantsRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(overridesRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(tenantAdminRoutes, { prefix: "/v1/tenant" });
    await browserFacing.register(environmentsRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(membersRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(invitationsRoutes, { prefix: "/v1/workspaces", publicUrl: config.accounts.publicUrl });
    await browserFacing.register(invitationAcceptRoutes, { prefix: "/v1/invitations" });
    await browserFacing.register(passwordResetIssueRoutes, { prefix: "/v1/workspaces", publicUrl: config.accounts.publicUrl });
    await browserFacing.register(passwordResetRedeemRoutes, { prefix: "/v1/password-resets" });
    await browserFacing.register(modulesRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(layersRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(segmentsRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(rolesRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(tenantAdminRolesRoutes, { prefix: "/v1/tenant" });
    await browserFacing.register(apiKeysRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(serviceTokensRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(identitiesRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(auditRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(transferRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(liveRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(statsRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(webhooksRoutes, { prefix: "/v1/workspaces" });
    await browserFacing.register(overviewRoutes, { prefix: "/v1/workspaces" });

    await browserFacing.register(adminUiPlugin, {
      dist: config.adminDist,
      secret: config.jwtSecret,
      secureCookies: config.env === "production",
      passwordLogin: config.passwordLogin,
      oidcLabel: config.oidc?.label ?? null,
    });
  });
  return app;
}
