import { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { matchesEtag } from "./etags";
import type { EvaluationDeps } from "./evaluation.routes";
import { apiKeyOrQuerySecurity } from "./json-serializer";

/**
 * `GET /v1/config` (server keys only): the environment's stored snapshot, for SDKs that evaluate
 * locally with `@ensign/evaluator`. Its ETag is the snapshot version; `If-None-Match` with the
 * current one answers 304. Client keys get 403: they never see rules.
 */
export async function configRoutes(app: FastifyInstance, deps: EvaluationDeps) {
  app.get(
    "/",
    {
      onRequest: deps.serverKeyOrQuery,
      helmet: false,
      // The snapshot goes out as the JSON text it is stored as: the schema documents it, nothing
      // serializes it again.
      schema: {
        tags: ["evaluation"],
        operationId: "getEnvironmentSnapshot",
        summary: "The environment's rules snapshot (server key)",
        description: "The `EnvironmentSnapshot` of `@ensign/contracts/snapshot`. ETag `\"<version>\"`; If-None-Match → 304.",
        security: apiKeyOrQuerySecurity,
        response: { 200: EnvironmentSnapshot, 304: z.null() },
      },
    },
    async (request, reply) => {
      const entry = await deps.evaluation.entryFor(request.apiKey!);
      const etag = `"${entry.version}"`;
      reply.header("etag", etag).header("cache-control", "private, no-cache");
      if (matchesEtag(request.headers["if-none-match"], etag)) return reply.code(304).send();
      deps.evaluation.configDownloaded(entry);
      return reply.type("application/json; charset=utf-8").send(entry.json);
    },
  );
}
