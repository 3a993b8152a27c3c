import type { FastifyCorsOptions } from "@fastify/cors";

/**
 * CORS on the evaluation endpoints, for the configured origins (`*` for any): the options
 * `@fastify/cors` applies on them, and the same headers for an answer written without Fastify.
 * Undefined when no origin is configured: then no answer carries CORS headers.
 */
export function evaluationCors(origins: string[]) {
  if (origins.length === 0) return undefined;
  const origin = origins.includes("*") ? "*" : origins;
  const options = {
    origin,
    methods: ["GET", "POST", "PUT"],
    allowedHeaders: ["content-type", "x-api-key", "authorization", "x-ensign-context", "if-none-match", "last-event-id"],
    exposedHeaders: ["etag", "retry-after", "x-request-id"],
    maxAge: 600,
  } satisfies FastifyCorsOptions;
  const exposed = options.exposedHeaders.join(", ");
  return {
    options,
    /** Adds to `headers` what `@fastify/cors` adds to an answer (not a preflight) for a request from `requestOrigin`. */
    addHeaders(requestOrigin: string | undefined, headers: Record<string, string>): void {
      headers.vary = "Origin";
      if (origin === "*") headers["access-control-allow-origin"] = "*";
      else if (requestOrigin !== undefined && origin.includes(requestOrigin)) headers["access-control-allow-origin"] = requestOrigin;
      headers["access-control-expose-headers"] = exposed;
    },
  };
}

export type EvaluationCors = NonNullable<ReturnType<typeof evaluationCors>>;
