import { Key } from "@ensign/contracts/common";
import { TraitsBody, TraitsResponse } from "@ensign/contracts/portal";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Actor } from "../../infra/audit";
import type { EvaluationDeps } from "./evaluation.routes";
import { apiKeySecurity } from "./json-serializer";

/** The API key behind a request, as the audit log records it. */
function keyActor(request: FastifyRequest): Actor {
  return {
    type: "api_key",
    id: request.apiKey!.id,
    ip: request.ip,
    userAgent: request.headers["user-agent"]?.slice(0, 500),
    requestId: request.id,
  };
}

/** `PUT /v1/identities/:key/traits` (server key): replaces an identity's stored traits. */
export async function traitsRoutes(app: FastifyInstance, deps: EvaluationDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put(
    "/:key/traits",
    {
      onRequest: deps.serverKey,
      bodyLimit: deps.bodyLimit,
      schema: {
        tags: ["evaluation"],
        summary: "Replace an identity's traits (server key)",
        description: "Traits are merged under the request context at evaluation (the context wins). Audited as the API key.",
        security: apiKeySecurity,
        params: z.object({ key: Key }),
        body: TraitsBody,
        response: { 200: TraitsResponse },
      },
    },
    async (request) => deps.traits.replace(request.apiKey!, request.params.key, request.body.traits, keyActor(request)),
  );
}
