import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** The header a caller (or a proxy) may set to choose the request id; every answer carries it back. */
export const REQUEST_ID_HEADER = "x-request-id";

/** Request ids: unique per process (a random prefix) and across requests (a counter); cheaper than a UUID per request. */
const REQUEST_ID_PREFIX = randomBytes(6).toString("base64url");
let requestCounter = 0;
export const nextRequestId = () => `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`;

/** The request's id: the caller's `X-Request-Id` when sent, else a new one (as Fastify's `requestIdHeader` does). */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const sent = headers[REQUEST_ID_HEADER];
  return (typeof sent === "string" && sent) || nextRequestId();
}
