import type { EvaluationContext, EvaluationResult } from "@ensign/contracts/evaluation";
import { CONTEXT_TOKEN_HEADER } from "@ensign/contracts/portal";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../infra/errors";
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
  type OfrepFailure,
  type OfrepSuccess,
} from "./ofrep.schemas";

const JSON_TYPE = "application/json; charset=utf-8";
const tags = ["ofrep"];

export function toOfrep(result: EvaluationResult): OfrepSuccess | OfrepFailure {
  if (result.errorCode !== undefined) return { key: result.key, errorCode: result.errorCode, errorDetails: result.errorMessage };
  const item: OfrepSuccess = { key: result.key, value: result.value, reason: result.reason, metadata: { detail: result.detail } };
  if (result.variant !== undefined) item.variant = result.variant;
  return item;
}

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

  /** The context of the request, or an OFREP failure to answer with. */
  async function contextOf(request: FastifyRequest, entry: Entry): Promise<EvaluationContext | string> {
    const token = request.headers[CONTEXT_TOKEN_HEADER];
    if (typeof token === "string" && token) return evaluation.contextFromToken(token, entry);
    const body = request.body as { context?: unknown } | null | undefined;
    const context = body?.context ?? {};
    return evaluation.contextIssue(context) ?? (context as EvaluationContext);
  }

  // OFREP's own shapes for malformed bodies and server failures; everything else is ours.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const key = (request.params as { key?: string } | undefined)?.key;
    if (error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error.code === "FST_ERR_CTP_EMPTY_JSON_BODY" || error instanceof SyntaxError) {
      const failure = { errorCode: "PARSE_ERROR", errorDetails: "The body is not valid JSON." };
      return reply.code(400).type(JSON_TYPE).send(JSON.stringify(key === undefined ? failure : { key, ...failure }));
    }
    if (error instanceof AppError && error.status >= 500) {
      if (error.code === "SERVICE_UNAVAILABLE") reply.header("retry-after", "5");
      return reply.code(error.status).type(JSON_TYPE).send(JSON.stringify({ errorDetails: error.message }));
    }
    throw error;
  });

  app.post(
    "/evaluate/flags/:key",
    {
      onRequest: anyKey,
      bodyLimit,
      serializerCompiler: jsonSchemaSerializer,
      schema: {
        tags,
        summary: "Evaluate one flag (OFREP)",
        description: "Body `{context}`. 404 FLAG_NOT_FOUND for unknown and archived flags; 400 INVALID_CONTEXT / PARSE_ERROR.",
        security,
        response: { 200: evaluationSuccess, 400: evaluationFailure, 404: evaluationFailure, 500: generalErrorResponse },
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const flagKey = (request.params as { key: string }).key;
      const entry = await evaluation.entryFor(request.apiKey!);
      const context = await contextOf(request, entry);
      if (typeof context === "string") return reply.code(400).type(JSON_TYPE).send(serializeItem({ key: flagKey, errorCode: "INVALID_CONTEXT", errorDetails: context }));
      const result = evaluation.one(entry, flagKey, context);
      const status = result.errorCode === undefined ? 200 : result.errorCode === "FLAG_NOT_FOUND" ? 404 : 400;
      return reply.code(status).type(JSON_TYPE).send(serializeItem(toOfrep(result)));
    },
  );

  app.post(
    "/evaluate/flags",
    {
      onRequest: anyKey,
      bodyLimit,
      serializerCompiler: jsonSchemaSerializer,
      schema: {
        tags,
        summary: "Evaluate every flag (OFREP bulk)",
        description: "Answers with an `ETag`; send it back in `If-None-Match` to get 304 while nothing changed for this context.",
        security,
        response: { 200: bulkEvaluationSuccess, 304: notModified, 400: bulkEvaluationFailure, 500: generalErrorResponse },
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const entry = await evaluation.entryFor(request.apiKey!);
      const context = await contextOf(request, entry);
      if (typeof context === "string") return reply.code(400).type(JSON_TYPE).send(JSON.stringify({ errorCode: "INVALID_CONTEXT", errorDetails: context }));
      const body = serializeBulk(evaluation.all(entry, context).map(toOfrep));
      const etag = etagOf(body);
      reply.header("etag", etag);
      if (matchesEtag(request.headers["if-none-match"], etag)) return reply.code(304).send();
      return reply.type(JSON_TYPE).send(body);
    },
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
