import type { FastifyReply, FastifyRequest } from "fastify";
import { checkFeature, type RequireFeatureOptions } from "./feature-gate";

export type { FeatureAccessAttempt, FeatureDisabledBody, RequireFeatureOptions } from "./feature-gate";

/**
 * A Fastify `preHandler` that answers 403 `{error: {code: "FEATURE_DISABLED", message}}` unless
 * `feature` is on for the request's context, and logs each refused attempt at `warn`.
 *
 * ```ts
 * app.get("/api/assistant", { preHandler: requireFeature("ai_agents_enabled", { client, context: (req) => req.user }) }, handler);
 * ```
 */
export function requireFeature(feature: string, options: RequireFeatureOptions<FastifyRequest>) {
  return async function featureGate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const outcome = await checkFeature(feature, options, request, { method: request.method, url: request.url });
    if (outcome.isAllowed) return;
    if (options.onDenied) options.onDenied(outcome.attempt, request);
    else request.log.warn({ featureAccess: outcome.attempt }, `refused access to disabled feature ${feature}`);
    await reply.code(403).send(outcome.body);
  };
}
