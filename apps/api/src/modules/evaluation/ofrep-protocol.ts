import type { EvaluationContext, EvaluationResult } from "@ensign/contracts/evaluation";
import { CONTEXT_TOKEN_HEADER } from "@ensign/contracts/portal";
import type { FastifyBaseLogger } from "fastify";
import type { IncomingHttpHeaders } from "node:http";
import { isDatabaseUnavailable } from "../../infra/error-handler";
import { AppError } from "../../infra/errors";
import type { JsonTextParser } from "../../infra/json-body";
import { translatePrismaError } from "../../infra/prisma-errors";
import { KEY_UNAVAILABLE, MISSING_KEY, presentedKeyIn, refusalOf } from "./api-key-guard";
import type { ApiKeyVerifier, VerifiedKey } from "./api-keys";
import { etagOf, matchesEtag } from "./etags";
import type { Entry, EvaluationService } from "./evaluation.service";
import { ofrepErrorCode, serializeBulk, serializeItem, serializeResult } from "./ofrep.schemas";
import type { RateLimiter } from "./rate-limiter";

export const JSON_TYPE = "application/json; charset=utf-8";
const ANY_KEY = ["client", "server"] as const;

/** An OFREP evaluation request, as it arrived: nothing parsed yet. */
export interface OfrepRequest {
  /** The flag to evaluate; undefined for bulk evaluation. */
  flagKey: string | undefined;
  headers: IncomingHttpHeaders;
  /** The text of the request's JSON body; undefined when it has none. */
  body: string | undefined;
  requestId: string;
}

/** The complete answer: status, the headers that belong to it, and the body (none for 304). */
export interface OfrepAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Answers an OFREP evaluation; synchronously in the steady state. Never throws. */
export type OfrepProtocol = (request: OfrepRequest) => OfrepAnswer | Promise<OfrepAnswer>;

export interface OfrepProtocolDeps {
  evaluation: EvaluationService;
  verifier: ApiKeyVerifier;
  limiter: RateLimiter;
  parseJson: JsonTextParser;
  log: FastifyBaseLogger;
}

const json = (status: number, body: string, headers: Record<string, string> = {}): OfrepAnswer => {
  headers["content-type"] = JSON_TYPE;
  return { status, headers, body };
};

/** The API's error shape, for failures that are not OFREP's own (authentication, rate limits). */
const apiError = (error: AppError, requestId: string) =>
  JSON.stringify({ error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }), requestId } });

/** OFREP's PARSE_ERROR failure; single evaluation names the flag. */
export const parseFailure = (flagKey: string | undefined, details: string) => {
  const failure = { errorCode: "PARSE_ERROR", errorDetails: details };
  return JSON.stringify(flagKey === undefined ? failure : { key: flagKey, ...failure });
};

/** What is wrong with the body, when an error is about reading it (a 400 that is not ours), else undefined. */
export function unreadableBody(error: unknown): string | undefined {
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  if (code === "FST_ERR_CTP_INVALID_JSON_BODY" || code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error instanceof SyntaxError) return "The body is not valid JSON.";
  if (!(error instanceof AppError) && statusCode === 400) return (error as Error).message;
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The signed context token sent with the request, if any. */
function tokenIn(headers: IncomingHttpHeaders): string | undefined {
  const token = headers[CONTEXT_TOKEN_HEADER];
  return typeof token === "string" && token ? token : undefined;
}

/**
 * The OpenFeature Remote Evaluation Protocol's evaluation requests, single and bulk, from the
 * request as it arrived to the complete answer: the API key (client or server, within its rate
 * limit), the JSON body (depth-bounded, prototype poisoning refused, an object), the context (a
 * signed context token's claims when one is sent), the evaluation (counted for the flag
 * statistics) and OFREP's JSON. Bulk answers carry an ETag (If-None-Match → 304). Both ways a
 * request arrives — the Fastify routes and the fast path in front of them — answer through it.
 */
export function createOfrepProtocol({ evaluation, verifier, limiter, parseJson, log }: OfrepProtocolDeps): OfrepProtocol {
  /** A failure in the shape the routes have always answered it: OFREP's for server errors, the API's for the rest. */
  function failure(request: OfrepRequest, raw: unknown, headers: Record<string, string> = {}): OfrepAnswer {
    const error = translatePrismaError(raw);
    if (error instanceof AppError) {
      if (error.status >= 500) {
        if (error.code === "SERVICE_UNAVAILABLE") headers["retry-after"] = "5";
        return json(error.status, JSON.stringify({ errorDetails: error.message }), headers);
      }
      if (error.code === "RATE_LIMITED") headers["retry-after"] ??= "60";
      return json(error.status, apiError(error, request.requestId), headers);
    }
    if (isDatabaseUnavailable(error)) {
      log.error({ reqId: request.requestId, err: error }, "database unavailable");
      headers["retry-after"] = "5";
      return json(503, apiError(new AppError("SERVICE_UNAVAILABLE", "The database cannot be reached; try again shortly."), request.requestId), headers);
    }
    log.error({ reqId: request.requestId, err: error }, "unhandled error");
    return json(500, JSON.stringify({ errorDetails: "Something went wrong on our side." }));
  }

  /** The context the body carries, or why it cannot be used. */
  function bodyContext(body: Record<string, unknown> | undefined): EvaluationContext | string {
    const context = body?.context ?? {};
    return evaluation.contextIssue(context) ?? (context as EvaluationContext);
  }

  /**
   * OFREP's push extension for client keys (public): where the web provider can listen for
   * changes instead of polling. Sent under both names in use (`eventStreams` by today's web
   * provider, `refreshConnections` by the protocol's ADR 0008). The URL carries the key — and,
   * where the environment requires one, the caller's own context token — because EventSource
   * cannot send headers.
   */
  function refreshConnections(secret: string, key: VerifiedKey, entry: Entry, token: string | undefined): string {
    if (key.kind !== "client") return "";
    const streamToken = evaluation.needsToken(key, entry) ? token : undefined;
    const url = `/v1/stream?format=ofrep&apiKey=${encodeURIComponent(secret)}${streamToken ? `&contextToken=${encodeURIComponent(streamToken)}` : ""}`;
    const streams = JSON.stringify([{ type: "sse", url, inactivityDelaySec: 120 }]);
    return `,"eventStreams":${streams},"refreshConnections":${streams}`;
  }

  function single(key: VerifiedKey, result: EvaluationResult): OfrepAnswer {
    const errorCode = ofrepErrorCode(result);
    const status = errorCode === undefined ? 200 : errorCode === "FLAG_NOT_FOUND" ? 404 : 400;
    return json(status, serializeResult(result, key.kind));
  }

  function bulk(request: OfrepRequest, secret: string, key: VerifiedKey, entry: Entry, results: EvaluationResult[], token: string | undefined): OfrepAnswer {
    const body = serializeBulk(results, refreshConnections(secret, key, entry, token), key.kind);
    const etag = etagOf(body);
    if (matchesEtag(request.headers["if-none-match"], etag)) return { status: 304, headers: { etag }, body: undefined };
    return json(200, body, { etag });
  }

  /** Synchronous unless the context's identity has traits not yet in memory. */
  function evaluated(
    request: OfrepRequest,
    secret: string,
    key: VerifiedKey,
    entry: Entry,
    context: EvaluationContext | string,
    token: string | undefined,
  ): OfrepAnswer | Promise<OfrepAnswer> {
    const { flagKey } = request;
    if (flagKey !== undefined) {
      if (typeof context === "string") return json(400, serializeItem({ key: flagKey, errorCode: "INVALID_CONTEXT", errorDetails: context }));
      const result = evaluation.one(entry, flagKey, context);
      return result instanceof Promise ? result.then((settled) => single(key, settled)) : single(key, result);
    }
    if (typeof context === "string") return json(400, JSON.stringify({ errorCode: "INVALID_CONTEXT", errorDetails: context }));
    const results = evaluation.all(entry, context);
    return results instanceof Promise ? results.then((settled) => bulk(request, secret, key, entry, settled, token)) : bulk(request, secret, key, entry, results, token);
  }

  /**
   * Answers for a verified key. The steady state — snapshot in memory, context in the body, no
   * token needed — answers synchronously.
   */
  function admitted(request: OfrepRequest, secret: string, key: VerifiedKey | null): OfrepAnswer | Promise<OfrepAnswer> {
    const refusal = refusalOf(key, ANY_KEY, limiter);
    if (refusal) return failure(request, refusal.error, refusal.retryAfter ? { "retry-after": refusal.retryAfter } : {});
    const verified = key!;
    let body: Record<string, unknown> | undefined;
    if (request.body !== undefined) {
      let parsed: unknown;
      try {
        parsed = parseJson(request.body);
      } catch (error) {
        const details = unreadableBody(error);
        if (details === undefined) throw error;
        return json(400, parseFailure(request.flagKey, details));
      }
      if (!isObject(parsed)) return json(400, parseFailure(request.flagKey, "The body must be a JSON object."));
      body = parsed;
    }
    const token = tokenIn(request.headers);
    const entry = evaluation.loaded(verified);
    if (entry && !token && !evaluation.needsToken(verified, entry)) {
      const answer = evaluated(request, secret, verified, entry, bodyContext(body), token);
      return answer instanceof Promise ? answer.catch((error: unknown) => failure(request, error)) : answer;
    }
    return (async () => {
      const loaded = await evaluation.entryFor(verified);
      const context = (await evaluation.contextFromToken(verified, loaded, token)) ?? bodyContext(body);
      return evaluated(request, secret, verified, loaded, context, token);
    })().catch((error: unknown) => failure(request, error));
  }

  return function respond(request) {
    try {
      const secret = presentedKeyIn(request.headers);
      if (!secret) return failure(request, new AppError("UNAUTHENTICATED", MISSING_KEY));
      const cached = verifier.cached(secret);
      if (cached) return admitted(request, secret, cached);
      return verifier
        .verify(secret)
        .then(
          (key) => admitted(request, secret, key),
          (error: unknown) => failure(request, new AppError("SERVICE_UNAVAILABLE", KEY_UNAVAILABLE, { cause: error })),
        )
        .catch((error: unknown) => failure(request, error));
    } catch (error) {
      return failure(request, error);
    }
  };
}
