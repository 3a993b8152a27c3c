import type { EvaluationContext, EvaluationResult } from "@ensign/contracts/evaluation";
import { CONTEXT_TOKEN_HEADER, PortalFlagsQuery } from "@ensign/contracts/portal";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError, invalid } from "../../infra/errors";
import { recycleWhenSent } from "./body-buffers";
import { bulkAnswer } from "./bulk-answers";
import { matchesEtag } from "./etags";
import type { EvaluationDeps } from "./evaluation.routes";
import type { Entry } from "./evaluation.service";
import { withRequestHeaders } from "./request-headers";
import { evaluationLogLevel } from "./request-logging";
import { apiKeyOrQuerySecurity, jsonSchemaSerializer, notModified } from "./json-serializer";

const portalFlagsResponse = {
  type: "object",
  properties: {
    environment: { type: "string" },
    version: { type: "integer" },
    flags: {
      type: "object",
      additionalProperties: {
        type: "object",
        properties: { value: {}, variant: { type: "string" }, reason: { type: "string" } },
        required: ["value", "reason"],
      },
    },
  },
  required: ["environment", "version", "flags"],
} as const;
/** What the portal answer depends on besides the URL. */
const PORTAL_VARY = `${CONTEXT_TOKEN_HEADER}, x-api-key, authorization`;

function contextFromQuery(query: PortalFlagsQuery): unknown {
  if (query.context !== undefined) {
    try {
      return JSON.parse(query.context);
    } catch {
      throw invalid("The context parameter is not valid JSON.", [{ path: "query.context", message: "must be a JSON object" }]);
    }
  }
  const context: EvaluationContext = {};
  if (query.targetingKey !== undefined) context.targetingKey = query.targetingKey;
  if (query.tenantKey !== undefined) context.tenantKey = query.tenantKey;
  if (query.role !== undefined) context.role = query.role;
  return context;
}

/**
 * `GET /v1/flags`: every flag that is not archived, evaluated for one context, for a portal's
 * front end. The context comes from a signed context token when one is sent (its claims and
 * nothing else: a producer can never ask for another producer's flags), else from `context`
 * (JSON) or the `targetingKey` / `tenantKey` / `role` parameters.
 */
export async function portalRoutes(app: FastifyInstance, deps: Pick<EvaluationDeps, "evaluation" | "anyKeyOrQuery">) {
  const { evaluation } = deps;

  /** Every flag's answer for the context, through the bulk writer OFREP bulk uses. */
  function answer(request: FastifyRequest, reply: FastifyReply, entry: Entry, context: unknown) {
    const issue = evaluation.contextIssue(context);
    if (issue) throw new AppError("VALIDATION_FAILED", `The context is not valid: ${issue}.`, { details: { issues: [{ path: "query.context", message: issue }] } });
    const exposed = entry.meta.exposedHeaders;
    const full = exposed.length > 0 ? withRequestHeaders(context as EvaluationContext, exposed, request.headers) : (context as EvaluationContext);
    const results = evaluation.all(entry, full, "portal");
    if (results instanceof Promise) return results.then((settled) => send(request, reply, entry, settled));
    return send(request, reply, entry, results);
  }

  function send(request: FastifyRequest, reply: FastifyReply, entry: Entry, results: EvaluationResult[]) {
    const head = `{"environment":${JSON.stringify(entry.meta.environmentKey)},"version":${entry.version},"flags":{`;
    const written = bulkAnswer(entry.compiled, results, (request.query as PortalFlagsQuery).keys === "camel" ? "portal-camel" : "portal", head, "}}");
    // Added to CORS's `Vary: Origin`, never in its place: a cache must not hand one origin's answer to another.
    const vary = reply.getHeader("vary");
    const ours = entry.meta.exposedHeaders.length > 0 ? `${PORTAL_VARY}, ${entry.meta.exposedHeaders.join(", ")}` : PORTAL_VARY;
    reply.header("etag", written.etag).header("cache-control", "private, no-cache").header("vary", vary ? `${String(vary)}, ${ours}` : ours);
    if (matchesEtag(request.headers["if-none-match"], written.etag)) return reply.code(304).send();
    const body = written.body();
    recycleWhenSent(reply.raw, body);
    return reply.type("application/json; charset=utf-8").send(body);
  }

  app.get(
    "/",
    {
      onRequest: deps.anyKeyOrQuery,
      // JSON for programs, not pages: helmet's HTML headers would only cost time on the hot path.
      helmet: false,
      ...evaluationLogLevel(app.log),
      serializerCompiler: jsonSchemaSerializer,
      schema: {
        tags: ["evaluation"],
        operationId: "getPortalFlags",
        summary: "Every flag's value for a context (portal endpoint)",
        description:
          "Client or server key. Context from a signed token (`X-Ensign-Context` or `contextToken`), else `context` (JSON) or targetingKey/tenantKey/role. `keys=camel` camel-cases the flag keys. ETag / If-None-Match → 304.",
        security: apiKeyOrQuerySecurity,
        querystring: PortalFlagsQuery,
        response: { 200: portalFlagsResponse, 304: notModified },
      },
    },
    (request, reply) => {
      const query = request.query as PortalFlagsQuery;
      const key = request.apiKey!;
      const header = request.headers[CONTEXT_TOKEN_HEADER];
      const token = typeof header === "string" && header ? header : query.contextToken;
      const entry = evaluation.loaded(key);
      // The steady state answers synchronously: snapshot in memory, and a token verified before or none needed.
      if (entry) {
        const remembered = token ? evaluation.rememberedToken(token, entry) : undefined;
        if (remembered) return answer(request, reply, entry, remembered);
        if (!token && !evaluation.needsToken(key, entry)) return answer(request, reply, entry, contextFromQuery(query));
      }
      return (async () => {
        const loaded = await evaluation.entryFor(key);
        const context = (await evaluation.contextFromToken(key, loaded, token)) ?? contextFromQuery(query);
        return answer(request, reply, loaded, context);
      })();
    },
  );
}
