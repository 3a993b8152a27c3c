import type { FastifyInstance } from "fastify";

/**
 * The request-log level of the evaluation routes (OFREP and the portal endpoint), the hottest
 * traffic there is. Their requests are counted in the statistics and the metrics, not written to
 * the log one by one: below `debug` only their failures (`warn` and up) are logged. At `debug`
 * and `trace` every request is, as on every other route.
 */
export function evaluationLogLevel(log: FastifyInstance["log"]): { logLevel?: "warn" } {
  const logsEvery = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.("debug") ?? false;
  return logsEvery ? {} : { logLevel: "warn" };
}
