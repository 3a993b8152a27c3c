import { checkFeature, type RequireFeatureOptions } from "./feature-gate";

export type { FeatureAccessAttempt, FeatureDisabledBody, RequireFeatureOptions } from "./feature-gate";

/** The parts of Express's request the guard reads. */
export interface ExpressLikeRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string;
  url: string;
}

/** The parts of Express's response the guard uses. */
export interface ExpressLikeResponse {
  status(code: number): { json(body: unknown): unknown };
}

/**
 * An Express middleware that answers 403 `{error: {code: "FEATURE_DISABLED", message}}` unless
 * `feature` is on for the request's context, and logs each refused attempt (console.warn
 * unless `onDenied` is given).
 *
 * ```ts
 * app.get("/api/assistant", requireFeature("ai_agents_enabled", { client, context: (req) => req.user }), handler);
 * ```
 */
export function requireFeature<Request extends ExpressLikeRequest = ExpressLikeRequest>(feature: string, options: RequireFeatureOptions<Request>) {
  return function featureGate(request: Request, response: ExpressLikeResponse, next: (error?: unknown) => void): void {
    checkFeature(feature, options, request, { method: request.method, url: request.originalUrl ?? request.url }).then((outcome) => {
      if (outcome.isAllowed) return next();
      if (options.onDenied) options.onDenied(outcome.attempt, request);
      else console.warn(`[ensign] refused access to disabled feature ${feature}`, outcome.attempt);
      response.status(403).json(outcome.body);
    }, next);
  };
}
