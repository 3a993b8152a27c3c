import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";

const Liveness = z.object({ status: z.literal("ok") });
const Readiness = z.object({
  status: z.enum(["ready", "degraded", "draining", "down"]),
  checks: z.object({ database: z.enum(["up", "down"]), cache: z.enum(["up", "down"]), snapshots: z.enum(["loaded", "none"]) }),
  environments: z.number().int(),
});

export async function healthRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/healthz",
    { schema: { tags: ["health"], operationId: "getLiveness", summary: "Liveness: the process answers", security: [], response: { 200: Liveness } } },
    async () => ({ status: "ok" as const }),
  );

  r.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        operationId: "getReadiness",
        summary: "Readiness: which dependencies answer; 503 when nothing can be served, or while the replica drains before it stops",
        security: [],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const readiness = await app.services.health.readiness();
      return reply.code(readiness.status === "down" || readiness.status === "draining" ? 503 : 200).send(readiness);
    },
  );
}
