import type { EvaluationContext, EvaluationResult } from "@ensign/contracts/evaluation";
import { CONTEXT_TOKEN_HEADER } from "@ensign/contracts/portal";
import type { IncomingHttpHeaders } from "node:http";
import { AppError } from "../../infra/errors";
import type { JsonTextParser } from "../../infra/json-body";
import { presentedKeyIn } from "../api-access/api-key-guard";
import type { VerifiedKey } from "../api-access/api-key-verifier";
import { bulkAnswer } from "../evaluation/bulk-answers";
import { matchesEtag } from "../evaluation/etags";
import { withRequestHeaders } from "../evaluation/request-headers";
import type { Entry, EvaluationService } from "../evaluation/evaluation.service";
import { ofrepErrorCode, serializeItem, serializeResult } from "./ofrep.schemas";

export const JSON_TYPE = "application/json; charset=utf-8";

/** An OFREP evaluation request whose API key the guard has verified; the body not parsed yet. */
export interface OfrepRequest {
  key: VerifiedKey;
  /** The flag to evaluate; undefined for bulk evaluation. */
  flagKey: string | undefined;
  headers: IncomingHttpHeaders;
  /** The text of the request's JSON body; undefined when it has none. */
  body: string | undefined;
}

/** OFREP's own answer: status, the headers that belong to it, and the body (none for 304; bulk bodies as bytes). */
export interface OfrepAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

/**
 * Answers an OFREP evaluation: synchronously in the steady state. Failures that are not OFREP's
 * own outcomes (a missing or invalid context token, an unreachable database) are thrown as
 * `AppError`s, for the routes' one error handler.
 */
export type OfrepProtocol = (request: OfrepRequest) => OfrepAnswer | Promise<OfrepAnswer>;

export interface OfrepProtocolDeps {
  evaluation: EvaluationService;
  parseJson: JsonTextParser;
}

const json = (status: number, body: string | Buffer, headers: Record<string, string> = {}): OfrepAnswer => {
  headers["content-type"] = JSON_TYPE;
  return { status, headers, body };
};

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
 * verified key and the body's text to OFREP's answer: the JSON body (depth-bounded, prototype
 * poisoning refused, an object), the context (a signed context token's claims when one is sent),
 * the evaluation (counted for the flag statistics) and OFREP's JSON. Bulk answers carry an ETag
 * (If-None-Match → 304) derived from the answers themselves, known before the body is written.
 */
export function createOfrepProtocol({ evaluation, parseJson }: OfrepProtocolDeps): OfrepProtocol {
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
  function refreshConnections(request: OfrepRequest, entry: Entry, token: string | undefined): string {
    if (request.key.kind !== "client") return "";
    const secret = presentedKeyIn(request.headers) ?? "";
    const streamToken = evaluation.needsToken(request.key, entry) ? token : undefined;
    const url = `/v1/stream?format=ofrep&apiKey=${encodeURIComponent(secret)}${streamToken ? `&contextToken=${encodeURIComponent(streamToken)}` : ""}`;
    const streams = JSON.stringify([{ type: "sse", url, inactivityDelaySec: 120 }]);
    return `,"eventStreams":${streams},"refreshConnections":${streams}`;
  }

  function single(request: OfrepRequest, result: EvaluationResult): OfrepAnswer {
    const errorCode = ofrepErrorCode(result);
    const status = errorCode === undefined ? 200 : errorCode === "FLAG_NOT_FOUND" ? 404 : 400;
    return json(status, serializeResult(result, request.key.kind));
  }

  function bulk(request: OfrepRequest, entry: Entry, results: EvaluationResult[], token: string | undefined): OfrepAnswer {
    const format = request.key.kind === "client" ? "ofrep-client" : "ofrep-server";
    const answer = bulkAnswer(entry.compiled, results, format, '{"flags":[', `]${refreshConnections(request, entry, token)}}`);
    if (matchesEtag(request.headers["if-none-match"], answer.etag)) return { status: 304, headers: { etag: answer.etag }, body: undefined };
    return json(200, answer.body(), { etag: answer.etag });
  }

  /** Synchronous unless the context's identity has traits this replica does not hold yet. */
  function evaluated(request: OfrepRequest, entry: Entry, context: EvaluationContext | string, token: string | undefined): OfrepAnswer | Promise<OfrepAnswer> {
    const { flagKey } = request;
    if (typeof context !== "string" && entry.meta.exposedHeaders.length > 0) context = withRequestHeaders(context, entry.meta.exposedHeaders, request.headers);
    if (flagKey !== undefined) {
      if (typeof context === "string") return json(400, serializeItem({ key: flagKey, errorCode: "INVALID_CONTEXT", errorDetails: context }));
      const result = evaluation.one(entry, flagKey, context);
      return result instanceof Promise ? result.then((settled) => single(request, settled)) : single(request, result);
    }
    if (typeof context === "string") return json(400, JSON.stringify({ errorCode: "INVALID_CONTEXT", errorDetails: context }));
    const results = evaluation.all(entry, context);
    return results instanceof Promise ? results.then((settled) => bulk(request, entry, settled, token)) : bulk(request, entry, results, token);
  }

  return function respond(request) {
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
    const entry = evaluation.loaded(request.key);
    // The steady state: snapshot in memory, and a token verified before or none needed.
    if (entry) {
      const remembered = token ? evaluation.rememberedToken(token, entry) : undefined;
      if (remembered) return evaluated(request, entry, remembered, token);
      if (!token && !evaluation.needsToken(request.key, entry)) return evaluated(request, entry, bodyContext(body), token);
    }
    return (async () => {
      const loaded = await evaluation.entryFor(request.key);
      const context = (await evaluation.contextFromToken(request.key, loaded, token)) ?? bodyContext(body);
      return evaluated(request, loaded, context, token);
    })();
  };
}
