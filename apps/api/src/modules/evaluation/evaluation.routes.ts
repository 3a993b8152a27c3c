import fastifyCors from "@fastify/cors";
import type { FastifyInstance, onRequestHookHandler } from "fastify";
import type { IdentitiesService } from "../identities/identities.service";
import { createJsonTextParser } from "../../infra/json-body";
import { apiKeyGuard } from "../api-access/api-key-guard";
import { configRoutes } from "./config.routes";
import { evaluationCors } from "../api-access/evaluation-cors";
import type { EvaluationService } from "./evaluation.service";
import { createOfrepProtocol, type OfrepProtocol } from "../ofrep/ofrep-protocol";
import { ofrepRoutes } from "../ofrep/ofrep.routes";
import { portalRoutes } from "./portal.routes";
import type { StreamHub } from "../streams/stream-hub";
import { streamRoutes } from "../streams/stream.routes";
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
  /** OFREP single and bulk evaluation, from the request as it arrived to the answer. */
  ofrep: OfrepProtocol;
  bodyLimit: number;
}

export interface EvaluationRoutesOptions {
  corsOrigins: string[];
  bodyLimit: number;
}

/** Where the evaluation endpoints live: the only paths that answer cross-origin requests. */
export const EVALUATION_PATHS = ["/ofrep/v1/", "/v1/flags", "/v1/config", "/v1/stream", "/v1/identities/"];
const isEvaluationPath = (url: string) => EVALUATION_PATHS.some((path) => url.startsWith(path));

/**
 * The API-key endpoints: OFREP, the portal endpoint, the server SDK config and stream, and
 * identity traits. CORS applies to these paths only, for the configured origins. Every one of
 * them runs through the application's one request pipeline: its hooks (request id, metrics,
 * tracing, logging), this context's CORS, then the route's API-key guard and rate limit.
 */
export async function evaluationRoutes(app: FastifyInstance, options: EvaluationRoutesOptions) {
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
    ofrep: createOfrepProtocol({ evaluation, parseJson: createJsonTextParser(app) }),
    bodyLimit: options.bodyLimit,
  };
  const cors = evaluationCors(options.corsOrigins);

  // Declared up front so every request object keeps one shape (V8 hidden class) on the hot path.
  app.decorateRequest("apiKey", undefined);

  if (cors) {
    await app.register(fastifyCors, {
      hideOptionsRoute: true,
      delegator: (request, callback) => callback(null, isEvaluationPath(request.url ?? "") ? cors.options : { origin: false }),
    });
  }

  await app.register(ofrepRoutes, { prefix: "/ofrep/v1", ...deps });
  await app.register(portalRoutes, { prefix: "/v1/flags", ...deps });
  await app.register(configRoutes, { prefix: "/v1/config", ...deps });
  await app.register(streamRoutes, { prefix: "/v1/stream", ...deps });
  await app.register(traitsRoutes, { prefix: "/v1/identities", ...deps });
}
