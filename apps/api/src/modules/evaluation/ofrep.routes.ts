import type { EvaluationContext } from "@ensign/contracts/evaluation";
import { CONTEXT_TOKEN_HEADER } from "@ensign/contracts/portal";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../infra/errors";
import { presentedKey } from "./api-key-guard";
import { etagOf, matchesEtag } from "./etags";
import type { EvaluationDeps } from "./evaluation.routes";
import type { Entry } from "./evaluation.service";
import { apiKeySecurity as security, jsonSchemaSerializer, notModified } from "./json-serializer";
import {
  bulkEvaluationFailure,
  bulkEvaluationSuccess,
  configurationResponse,
  evaluationFailure,
  evaluationSuccess,
  generalErrorResponse,
  serializeBulk,
  serializeItem,
  serializeResult,
} from "./ofrep.schemas";

const JSON_TYPE = "application/json; charset=utf-8";

/** No body at all (an empty context) or a JSON object; an array, string, number or `null` is not a request. */
const isObjectBody = (body: unknown) => body === undefined || (typeof body === "object" && body !== null && !Array.isArray(body));
const tags = ["ofrep"];

const CONFIGURATION = JSON.stringify({
  name: "Ensign",
  capabilities: { cacheInvalidation: { polling: { enabled: true, minPollingIntervalMs: 1_000 } } },
});
const CONFIGURATION_ETAG = etagOf(CONFIGURATION);

/**
 * The OpenFeature Remote Evaluation Protocol, as its OpenAPI document defines it: single and
 * bulk evaluation (bulk with ETag / If-None-Match → 304) and the provider configuration. The
 * environment comes from the API key (client or server). A signed context token in
 * `X-Ensign-Context` replaces the body's context.
 */
export async function ofrepRoutes(app: FastifyInstance, deps: EvaluationDeps) {
  const { evaluation, anyKey, bodyLimit } = deps;

  /** The signed context token sent with the request, if any. */
  const tokenOf = (request: FastifyRequest) => {
    const token = request.headers[CONTEXT_TOKEN_HEADER];
    return typeof token === "string" && token ? token : undefined;
  };

  /** The body's context, or why it cannot be used. */
  function bodyContext(request: FastifyRequest): EvaluationContext | string {
    const body = request.body as { context?: unknown } | null | undefined;
    const context = body?.context ?? {};
    return evaluation.contextIssue(context) ?? (context as EvaluationContext);
  }

  /** The context of the request — a signed token's claims when one is sent — or an OFREP failure. */
  async function contextOf(request: FastifyRequest, entry: Entry): Promise<EvaluationContext | string> {
    return (await evaluation.contextFromToken(request.apiKey!, entry, tokenOf(request))) ?? bodyContext(request);
  }

  type Answer = (request: FastifyRequest, reply: FastifyReply, entry: Entry, context: EvaluationContext | string) => FastifyReply;

  /**
   * Answers with the key's snapshot and the request's context. The steady state — snapshot in
   * memory, context in the body, no token needed — answers synchronously.
   */
  function evaluated(request: FastifyRequest, reply: FastifyReply, answer: Answer) {
    if (!isObjectBody(request.body)) {
      const flagKey = (request.params as { key?: string }).key;
      const failure = { errorCode: "PARSE_ERROR", errorDetails: 'The body must be a JSON object, e.g. {"context": {"targetingKey": "user-1"}}.' };
      return reply.code(400).type(JSON_TYPE).send(JSON.stringify(flagKey === undefined ? failure : { key: flagKey, ...failure }));
    }
    const key = request.apiKey!;
    const entry = evaluation.loaded(key);
    if (entry && !tokenOf(request) && !evaluation.needsToken(key, entry)) return answer(request, reply, entry, bodyContext(request));
    return (async () => {
      const loaded = await evaluation.entryFor(key);
      return answer(request, reply, loaded, await contextOf(request, loaded));
    })();
  }

  function single(request: FastifyRequest, reply: FastifyReply, entry: Entry, context: EvaluationContext | string) {
    const flagKey = (request.params as { key: string }).key;
    if (typeof context === "string") return reply.code(400).type(JSON_TYPE).send(serializeItem({ key: flagKey, errorCode: "INVALID_CONTEXT", errorDetails: context }));
    const result = evaluation.one(entry, flagKey, context);
    const status = result.errorCode === undefined ? 200 : result.errorCode === "FLAG_NOT_FOUND" ? 404 : 400;
    return reply.code(status).type(JSON_TYPE).send(serializeResult(result));
  }

  /**
   * OFREP's push extension for client keys (public): where the web provider can listen for
   * changes instead of polling. Sent under both names in use (`eventStreams` by today's web
   * provider, `refreshConnections` by the protocol's ADR 0008). The URL carries the key — and,
   * where the environment requires one, the caller's own context token — because EventSource
   * cannot send headers.
   */
  function refreshConnections(request: FastifyRequest, entry: Entry): string {
    if (request.apiKey!.kind !== "client") return "";
    const secret = presentedKey(request, false);
    if (!secret) return "";
    const token = evaluation.needsToken(request.apiKey!, entry) ? tokenOf(request) : undefined;
    const url = `/v1/stream?format=ofrep&apiKey=${encodeURIComponent(secret)}${token ? `&contextToken=${encodeURIComponent(token)}` : ""}`;
    const streams = JSON.stringify([{ type: "sse", url, inactivityDelaySec: 120 }]);
    return `,"eventStreams":${streams},"refreshConnections":${streams}`;
  }

  function bulk(request: FastifyRequest, reply: FastifyReply, entry: Entry, context: EvaluationContext | string) {
    if (typeof context === "string") return reply.code(400).type(JSON_TYPE).send(JSON.stringify({ errorCode: "INVALID_CONTEXT", errorDetails: context }));
    const body = serializeBulk(evaluation.all(entry, context), refreshConnections(request, entry));
    const etag = etagOf(body);
    reply.header("etag", etag);
    if (matchesEtag(request.headers["if-none-match"], etag)) return reply.code(304).send();
    return reply.type(JSON_TYPE).send(body);
  }

  // OFREP's own shapes for malformed bodies and server failures; everything else is ours.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const key = (request.params as { key?: string } | undefined)?.key;
    const isUnreadable = error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error instanceof SyntaxError;
    if (isUnreadable || (!(error instanceof AppError) && error.statusCode === 400)) {
      const failure = { errorCode: "PARSE_ERROR", errorDetails: isUnreadable ? "The body is not valid JSON." : error.message };
      return reply.code(400).type(JSON_TYPE).send(JSON.stringify(key === undefined ? failure : { key, ...failure }));
    }
    if (error instanceof AppError && error.status >= 500) {
      if (error.code === "SERVICE_UNAVAILABLE") reply.header("retry-after", "5");
      return reply.code(error.status).type(JSON_TYPE).send(JSON.stringify({ errorDetails: error.message }));
    }
    throw error;
  });

  /** An evaluation route: any key, a bounded JSON body, answered by `answer` through `evaluated`. */
  function evaluationRoute(url: string, docs: { summary: string; description: string; response: Record<number, unknown> }, answer: Answer) {
    app.post(
      url,
      {
        onRequest: anyKey,
        // JSON for programs, not pages: helmet's HTML headers would only cost time on the hot path.
        helmet: false,
        bodyLimit,
        serializerCompiler: jsonSchemaSerializer,
        schema: { tags, security, ...docs },
      },
      (request: FastifyRequest, reply: FastifyReply) => evaluated(request, reply, answer),
    );
  }

  evaluationRoute(
    "/evaluate/flags/:key",
    {
      summary: "Evaluate one flag (OFREP)",
      description: "Body `{context}`. 404 FLAG_NOT_FOUND for unknown and archived flags; 400 INVALID_CONTEXT / PARSE_ERROR.",
      response: { 200: evaluationSuccess, 400: evaluationFailure, 404: evaluationFailure, 500: generalErrorResponse },
    },
    single,
  );

  evaluationRoute(
    "/evaluate/flags",
    {
      summary: "Evaluate every flag (OFREP bulk)",
      description: "Answers with an `ETag`; send it back in `If-None-Match` to get 304 while nothing changed for this context.",
      response: { 200: bulkEvaluationSuccess, 304: notModified, 400: bulkEvaluationFailure, 500: generalErrorResponse },
    },
    bulk,
  );

  app.get(
    "/configuration",
    {
      onRequest: anyKey,
      serializerCompiler: jsonSchemaSerializer,
      schema: { tags, summary: "Provider configuration (OFREP)", security, response: { 200: configurationResponse, 304: notModified } },
    },
    async (request, reply) => {
      reply.header("etag", CONFIGURATION_ETAG);
      if (matchesEtag(request.headers["if-none-match"], CONFIGURATION_ETAG)) return reply.code(304).send();
      return reply.type(JSON_TYPE).send(CONFIGURATION);
    },
  );
}
