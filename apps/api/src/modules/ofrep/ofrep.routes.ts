import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../infra/errors";
import { recycleWhenSent } from "../evaluation/body-buffers";
import { evaluationLogLevel } from "../evaluation/request-logging";
import { etagOf, matchesEtag } from "../evaluation/etags";
import type { EvaluationDeps } from "../evaluation/evaluation.routes";
import { apiKeySecurity as security, jsonSchemaSerializer, notModified } from "../evaluation/json-serializer";
import {
  bulkEvaluationFailure,
  bulkEvaluationSuccess,
  configurationResponse,
  evaluationFailure,
  evaluationRequest,
  evaluationSuccess,
  generalErrorResponse,
} from "./ofrep.schemas";
import { isDatabaseUnavailable } from "../../infra/error-handler";
import { translatePrismaError } from "../../infra/prisma-errors";
import { JSON_TYPE, parseFailure, unreadableBody, type OfrepAnswer } from "./ofrep-protocol";

/** A JSON body's text, as the evaluation routes receive it. */
class JsonText {
  constructor(readonly text: string) {}
}

const tags = ["ofrep"];

const CONFIGURATION = JSON.stringify({
  name: "Ensign",
  capabilities: { cacheInvalidation: { polling: { enabled: true, minPollingIntervalMs: 1_000 } } },
});
const CONFIGURATION_ETAG = etagOf(CONFIGURATION);

/**
 * The OpenFeature Remote Evaluation Protocol, as its OpenAPI document defines it: single and
 * bulk evaluation (bulk with ETag / If-None-Match → 304) and the provider configuration. The
 * environment comes from the API key (client or server), checked by the same guard as every
 * evaluation route. A signed context token in `X-Ensign-Context` replaces the body's context.
 */
export async function ofrepRoutes(app: FastifyInstance, deps: Pick<EvaluationDeps, "ofrep" | "anyKey" | "bodyLimit">) {
  const { ofrep, anyKey, bodyLimit } = deps;

  // The evaluation routes take the JSON body's text as it came: the OFREP protocol reads it.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => done(null, new JsonText(body as string)));
  // OFREP bodies are JSON: any other body is a 415, never evaluated as if it were empty.
  app.removeContentTypeParser("text/plain");

  const send = (reply: FastifyReply, answer: OfrepAnswer) => {
    if (answer.body instanceof Buffer) recycleWhenSent(reply.raw, answer.body);
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };

  /** Single and bulk evaluation: the request as it arrived, answered by the OFREP protocol. */
  function evaluated(request: FastifyRequest, reply: FastifyReply) {
    const answer = ofrep({
      key: request.apiKey!,
      flagKey: (request.params as { key?: string }).key,
      headers: request.headers,
      body: request.body instanceof JsonText ? request.body.text : undefined,
    });
    return answer instanceof Promise ? answer.then((settled) => send(reply, settled)) : send(reply, answer);
  }

  // The one place OFREP failures are mapped. OFREP's own shapes for malformed bodies and server
  // failures; authentication, rate limits and an unreachable database answer in the API's shape.
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const details = unreadableBody(raw);
    if (details !== undefined) return reply.code(400).type(JSON_TYPE).send(parseFailure((request.params as { key?: string } | undefined)?.key, details));
    const error = translatePrismaError(raw);
    if (error instanceof AppError) {
      if (error.status < 500) throw error;
      request.log.error({ err: error.cause ?? error }, error.message);
      if (error.code === "SERVICE_UNAVAILABLE") reply.header("retry-after", "5");
      return reply.code(error.status).type(JSON_TYPE).send(JSON.stringify({ errorDetails: error.message }));
    }
    if (isDatabaseUnavailable(error) || (raw.statusCode !== undefined && raw.statusCode < 500)) throw raw;
    request.log.error({ err: error }, "unhandled error");
    return reply.code(500).type(JSON_TYPE).send(JSON.stringify({ errorDetails: "Something went wrong on our side." }));
  });

  /** An evaluation route: a bounded JSON body and an API key of either kind. */
  function evaluationRoute(url: string, docs: { operationId: string; summary: string; description: string; response: Record<number, unknown> }) {
    app.post(
      url,
      {
        onRequest: anyKey,
        // JSON for programs, not pages: helmet's HTML headers would only cost time on the hot path.
        helmet: false,
        ...evaluationLogLevel(app.log),
        bodyLimit,
        serializerCompiler: jsonSchemaSerializer,
        // The body schema documents the request; the OFREP protocol reads and checks the body
        // itself, so a malformed one gets OFREP's PARSE_ERROR.
        validatorCompiler: () => (body) => ({ value: body }),
        schema: { tags, security, body: evaluationRequest, ...docs },
      },
      evaluated,
    );
  }

  evaluationRoute(
    "/evaluate/flags/:key",
    {
      operationId: "evaluateFlag",
      summary: "Evaluate one flag (OFREP)",
      description: "Body `{context}`. 404 FLAG_NOT_FOUND for unknown and archived flags; 400 INVALID_CONTEXT / PARSE_ERROR.",
      response: { 200: evaluationSuccess, 400: evaluationFailure, 404: evaluationFailure, 500: generalErrorResponse },
    },
  );

  evaluationRoute(
    "/evaluate/flags",
    {
      operationId: "evaluateFlags",
      summary: "Evaluate every flag (OFREP bulk)",
      description: "Answers with an `ETag`; send it back in `If-None-Match` to get 304 while nothing changed for this context.",
      response: { 200: bulkEvaluationSuccess, 304: notModified, 400: bulkEvaluationFailure, 500: generalErrorResponse },
    },
  );

  app.get(
    "/configuration",
    {
      onRequest: anyKey,
      serializerCompiler: jsonSchemaSerializer,
      schema: { tags, operationId: "getProviderConfiguration", summary: "Provider configuration (OFREP)", security, response: { 200: configurationResponse, 304: notModified } },
    },
    async (request, reply) => {
      reply.header("etag", CONFIGURATION_ETAG);
      if (matchesEtag(request.headers["if-none-match"], CONFIGURATION_ETAG)) return reply.code(304).send();
      return reply.type(JSON_TYPE).send(CONFIGURATION);
    },
  );
}
