import type { FastifyRequest } from "fastify";

/**
 * Where the admin app is reached, for links handed to people (invitations, password resets):
 * PUBLIC_URL when set; otherwise the origin the admin app called from (its Origin header, which
 * browsers send with every write), or else the request's own scheme and host.
 */
export function publicOrigin(request: FastifyRequest, configured: string | null): string {
  if (configured) return configured;
  const origin = request.headers.origin;
  if (origin && /^https?:\/\/[^/\s]+$/i.test(origin)) return origin;
  return `${request.protocol}://${request.host}`;
}
