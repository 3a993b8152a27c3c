import { pino } from "pino";
import { buildApp, loggerOptions } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";
import { openInfrastructure } from "./infra/bootstrap";
import { startMetricsServer } from "./infra/metrics-server";
import { stopTracing } from "./infra/tracing";
import { hasSuperadmin } from "./modules/accounts/first-admin";
import { DEMO_USERS } from "./seed/demo-data";

/** The server itself, started by `server.ts` once tracing is set up. */

// Logs are JSON lines from the first one on, the boot's included, for the log pipeline to parse.
let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    pino().fatal({ issues: error.issues }, "invalid configuration");
    process.exit(1);
  }
  throw error;
}

const logger = loggerOptions(config.logLevel);
const boot = pino(logger);
const { db, cache } = await openInfrastructure(config, boot);
const app = await buildApp({ config, db, cache, logger });

let closing = false;
/**
 * SIGTERM (an orchestrator's stop) drains first: the replica keeps answering for
 * SHUTDOWN_DRAIN while its readiness says `draining`, then stops listening and finishes the
 * requests in flight. SIGINT (Ctrl-C) stops at once.
 */
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  if (signal === "SIGTERM" && config.shutdownDrainMs > 0) {
    app.log.info({ signal, drainMs: config.shutdownDrainMs }, "draining before shutting down");
    app.services.health.drain();
    await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
  }
  app.log.info({ signal }, "shutting down");
  const force = setTimeout(() => process.exit(1), 10_000).unref();
  try {
    await metricsServer?.close();
    await app.close();
    await cache.close();
    await db.close();
    await stopTracing();
  } finally {
    clearTimeout(force);
    process.exit(0);
  }
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

await app.listen({ host: config.host, port: config.port });
// Metrics are for operators: a port that is taken (another replica on the host) costs only them.
const metricsServer = config.metrics
  ? await startMetricsServer(app.services.metrics.registry, config.metrics).catch((error: unknown) => {
      app.log.error({ err: error, port: config.metrics!.port }, "metrics endpoint could not listen; serving without it");
      return null;
    })
  : null;
const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${(app.server.address() as { port: number }).port}`;
const mode = [config.embedded.database ? "embedded PGlite" : "PostgreSQL", config.embedded.cache ? "in-process cache" : "Redis"].join(" + ");
const metricsUrl = metricsServer ? `http://${config.metrics!.host === "0.0.0.0" ? "localhost" : config.metrics!.host}:${metricsServer.port}/metrics` : null;
boot.info({ url, docs: `${url}/docs`, metrics: metricsUrl, mode }, `Ensign is running at ${url}`);
if (config.seedDemo) {
  // Published passwords of the demo data, which loads only in embedded mode or when asked for.
  boot.info({ demoLogins: DEMO_USERS.map(({ email, password, role }) => ({ role, email, password })) }, "demo logins (local use only)");
}
if (!(await hasSuperadmin(db.prisma))) {
  boot.warn({ command: "node apps/api/dist/ensign.js admin create --email you@example.com" }, "no admin yet: create the first one (see docs/operations.md)");
}
