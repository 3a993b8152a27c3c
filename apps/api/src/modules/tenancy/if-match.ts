import type { FastifyRequest } from "fastify";
import { requireIfMatch } from "../../infra/versioning";

/** `If-Match` when the caller sent one, for absolute writes (a switch, a clear) where it is optional. */
export function optionalIfMatch(request: FastifyRequest): number | undefined {
  return request.headers["if-match"] === undefined ? undefined : requireIfMatch(request);
}
