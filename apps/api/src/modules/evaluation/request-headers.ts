import { EXPOSED_HEADER_VALUE_LIMIT } from "@ensign/contracts/environments";
import type { EvaluationContext } from "@ensign/contracts/evaluation";
import type { IncomingHttpHeaders } from "node:http";

const HEADER_PREFIX = "header.";

/**
 * The context with the environment's exposed request headers under `header`, for rules on
 * `header.<name>`: a copy, the caller's object untouched. Only headers the request carries are
 * added, as strings (the first of repeated ones), cut to `EXPOSED_HEADER_VALUE_LIMIT` characters.
 * The request's own `header` attribute and any `header.<name>` key are replaced, so a body cannot
 * claim a header the request did not send. With no exposed headers the context is returned as is.
 *
 * Header values are chosen by the client: good for targeting, never for security decisions.
 */
export function withRequestHeaders(context: EvaluationContext, exposed: readonly string[], headers: IncomingHttpHeaders): EvaluationContext {
  if (exposed.length === 0) return context;
  const header: Record<string, string> = {};
  for (const name of exposed) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === "string") header[name] = value.length > EXPOSED_HEADER_VALUE_LIMIT ? value.slice(0, EXPOSED_HEADER_VALUE_LIMIT) : value;
  }
  // Spread copies own keys as data properties (a `__proto__` key stays a plain key).
  const copy: Record<string, unknown> = { ...context, header };
  for (const key of Object.keys(copy)) if (key.startsWith(HEADER_PREFIX)) delete copy[key];
  return copy as EvaluationContext;
}
