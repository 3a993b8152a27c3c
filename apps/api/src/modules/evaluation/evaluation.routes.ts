import fastifyCors from "@fastify/cors";
import type { FastifyInstance, onRequestHookHandler } from "fastify";
import type { IdentitiesService } from "../identities/identities.service";
import { apiKeyGuard } from "./api-key-guard";
import { configRoutes } from "./config.routes";
import type { EvaluationService } from "./evaluation.service";
import { ofrepRoutes } from "./ofrep.routes";
import { portalRoutes } from "./portal.routes";
import type { StreamHub } from "./stream-hub";
import { streamRoutes } from "./stream.routes";
import { traitsRoutes } from "./traits.routes";

export interface EvaluationDeps {
  evaluation: EvaluationService;
  identities: IdentitiesService;
  hub: StreamHub;
  /** Client or server key, from headers. */
  anyKey: onRequestHookHandler;
  /** Client or server key, from headers or `?apiKey=`. */
  anyKeyOrQuery: onRequestHookHandler;
  serverKey: onRequestHookHandler;
  serverKeyOrQuery: onRequestHookHandler;
  bodyLimit: number;
}

/** Where the evaluation endpoints live: the only paths that answer cross-origin requests. */
export const EVALUATION_PATHS = ["/ofrep/v1/", "/v1/flags", "/v1/config", "/v1/stream", "/v1/identities/"];
const isEvaluationPath = (url: string) => EVALUATION_PATHS.some((path) => url.startsWith(path));

/**
 * The API-key endpoints: OFREP, the portal endpoint, the server SDK config and stream, and
 * identity traits. CORS applies to these paths only, for the configured origins.
 */
export async function evaluationRoutes(app: FastifyInstance, options: { corsOrigins: string[]; bodyLimit: number }) {
  const { evaluation, identities, streams, apiKeyVerifier, rateLimiter } = app.services;
  const guard = (kinds: ("server" | "client")[], allowQuery: boolean) =>
    apiKeyGuard({ verifier: apiKeyVerifier, limiter: rateLimiter }, { kinds, allowQuery });
  const deps: EvaluationDeps = {
    evaluation,
    identities,
    hub: streams,
    anyKey: guard(["client", "server"], false),
    anyKeyOrQuery: guard(["client", "server"], true),
    serverKey: guard(["server"], false),
    serverKeyOrQuery: guard(["server"], true),
    bodyLimit: options.bodyLimit,
  };

  // Declared up front so every request object keeps one shape (V8 hidden class) on the hot path.
  app.decorateRequest("apiKey", undefined);

  if (options.corsOrigins.length > 0) {
    const origin = options.corsOrigins.includes("*") ? "*" : options.corsOrigins;
    const allowed = {
      origin,
      methods: ["GET", "POST", "PUT"],
      allowedHeaders: ["content-type", "x-api-key", "authorization", "x-ensign-context", "if-none-match", "last-event-id"],
      exposedHeaders: ["etag", "retry-after", "x-request-id"],
      maxAge: 600,
    };
    await app.register(fastifyCors, {
      hideOptionsRoute: true,
      delegator: (request, callback) => callback(null, isEvaluationPath(request.url ?? "") ? allowed : { origin: false }),
    });
  }

  await app.register(ofrepRoutes, { prefix: "/ofrep/v1", ...deps });
  await app.register(portalRoutes, { prefix: "/v1/flags", ...deps });
  await app.register(configRoutes, { prefix: "/v1/config", ...deps });
  await app.register(streamRoutes, { prefix: "/v1/stream", ...deps });
  await app.register(traitsRoutes, { prefix: "/v1/identities", ...deps });
}
