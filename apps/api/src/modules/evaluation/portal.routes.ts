import type { EvaluationContext } from "@ensign/contracts/evaluation";
import { CONTEXT_TOKEN_HEADER, PortalFlagsQuery, type PortalFlag } from "@ensign/contracts/portal";
import type { FastifyInstance } from "fastify";
import fastJson, { type Schema } from "fast-json-stringify";
import { AppError, invalid } from "../../infra/errors";
import { etagOf, matchesEtag } from "./etags";
import type { EvaluationDeps } from "./evaluation.routes";
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
const serialize = fastJson(portalFlagsResponse as unknown as Schema);

const camelCache = new Map<string, string>();
/** `knowledge_base_enabled` → `knowledgeBaseEnabled` (also after `-` and `.`). */
export function camelKey(key: string): string {
  let camel = camelCache.get(key);
  if (camel === undefined) {
    camel = key.replace(/[_.-]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (camelCache.size < 100_000) camelCache.set(key, camel);
  }
  return camel;
}

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
export async function portalRoutes(app: FastifyInstance, deps: EvaluationDeps) {
  const { evaluation } = deps;

  app.get(
    "/",
    {
      onRequest: deps.anyKeyOrQuery,
      // JSON for programs, not pages: helmet's HTML headers would only cost time on the hot path.
      helmet: false,
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
    async (request, reply) => {
      const query = request.query as PortalFlagsQuery;
      const entry = await evaluation.entryFor(request.apiKey!);
      const header = request.headers[CONTEXT_TOKEN_HEADER];
      const token = typeof header === "string" && header ? header : query.contextToken;
      const context = (await evaluation.contextFromToken(request.apiKey!, entry, token)) ?? contextFromQuery(query);
      const issue = evaluation.contextIssue(context);
      if (issue) throw new AppError("VALIDATION_FAILED", `The context is not valid: ${issue}.`, { details: { issues: [{ path: "query.context", message: issue }] } });

      const isCamel = query.keys === "camel";
      const flags: Record<string, PortalFlag> = {};
      for (const result of await evaluation.all(entry, context as EvaluationContext, "portal")) {
        const flag: PortalFlag = { value: result.value, reason: result.reason };
        if (result.variant !== undefined) flag.variant = result.variant;
        flags[isCamel ? camelKey(result.key) : result.key] = flag;
      }
      const body = serialize({ environment: entry.meta.environmentKey, version: entry.version, flags });
      const etag = etagOf(body);
      // Added to CORS's `Vary: Origin`, never in its place: a cache must not hand one origin's answer to another.
      const vary = reply.getHeader("vary");
      reply.header("etag", etag).header("cache-control", "private, no-cache").header("vary", vary ? `${String(vary)}, ${PORTAL_VARY}` : PORTAL_VARY);
      if (matchesEtag(request.headers["if-none-match"], etag)) return reply.code(304).send();
      return reply.type("application/json; charset=utf-8").send(body);
    },
  );
}
