import { OverviewParams, OverviewQuery, OverviewResponse } from "@ensign/contracts/overview";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { scopeOf } from "../../infra/auth";

export async function overviewRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    "/:workspace/overview",
    {
      onRequest: [app.requireCapability("workspace:read")],
      schema: {
        tags: ["stats"],
        operationId: "getWorkspaceOverview",
        summary: "The workspace at a glance: flags by status per environment, the last day's changes, upcoming schedules, most and least evaluated flags",
        description: "Live flags only. Usage counts evaluations in `env` over the last 7 days; flags that do not track analytics are left out of it.",
        security: [{ bearerAuth: [] }],
        params: OverviewParams,
        querystring: OverviewQuery,
        response: { 200: OverviewResponse },
      },
    },
    async (request) => app.services.overview.overview(scopeOf(request).workspaceId, request.query.env),
  );
}
