import { FlagKey } from "@ensign/contracts/common";
import { FlagStatsQuery, FlagStatsResponse } from "@ensign/contracts/stats";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { scopeOf } from "../../infra/auth";

export async function statsRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/:workspace/flags/:key/stats",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags: ["stats"],
        operationId: "getFlagStats",
        summary: "A flag's evaluations, unique users, true rate, variants and latency per day",
        security: [{ bearerAuth: [] }],
        params: z.object({ workspace: z.string().min(1).max(64), key: FlagKey }),
        querystring: FlagStatsQuery,
        response: { 200: FlagStatsResponse },
      },
    },
    async (request) =>
      app.services.stats.flagStats(scopeOf(request).workspaceId, request.params.key, request.query.env, request.query.days),
  );
}
