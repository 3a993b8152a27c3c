import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** The header a caller (or a proxy) may set to choose the request id; every answer carries it back. */
export const REQUEST_ID_HEADER = "x-request-id";

/** Request ids: unique per process (a random prefix) and across requests (a counter); cheaper than a UUID per request. */
const REQUEST_ID_PREFIX = randomBytes(6).toString("base64url");
let requestCounter = 0;
export const nextRequestId = () => `${REQUEST_ID_PREFIX}-${(++requestCounter).toString(36)}`;

/** What a caller may name its request (a load balancer's trace id, a UUID): short and plain, as it lands in logs and audit entries. */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the caller's `X-Request-Id` when it is plain and short, else one of ours. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const sent = headers[REQUEST_ID_HEADER];
  return typeof sent === "string" && CALLER_REQUEST_ID.test(sent) ? sent : nextRequestId();
}
