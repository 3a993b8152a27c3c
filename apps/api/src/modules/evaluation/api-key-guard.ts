import { API_KEY_HEADER } from "@ensign/contracts/portal";
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import { AppError } from "../../infra/errors";
import type { ApiKeyVerifier, VerifiedKey } from "./api-keys";
import type { RateLimiter } from "./rate-limiter";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified API key of an evaluation request. */
    apiKey?: VerifiedKey;
  }
}

export interface GuardOptions {
  /** Key kinds this route accepts; a key of another kind answers 403. */
  kinds: readonly VerifiedKey["kind"][];
  /** Accept `?apiKey=` too, for callers that cannot set headers (EventSource). */
  allowQuery?: boolean;
}

/** The presented secret: `X-API-Key`, `Authorization: Bearer`, or (where allowed) `?apiKey=`. */
export function presentedKey(request: FastifyRequest, allowQuery: boolean): string | undefined {
  const header = request.headers[API_KEY_HEADER];
  if (typeof header === "string" && header) return header;
  const authorization = request.headers.authorization;
  if (authorization && authorization.startsWith("Bearer ")) return authorization.slice(7).trim();
  if (allowQuery) {
    const query = (request.query as { apiKey?: unknown } | undefined)?.apiKey;
    if (typeof query === "string" && query) return query;
  }
  return undefined;
}

/**
 * The evaluation routes' guard: a valid, unrevoked API key of an accepted kind, within its
 * rate limit. A callback hook: for a key this replica already verified (the steady state) it
 * completes synchronously, with no promise and no I/O.
 */
export function apiKeyGuard(deps: { verifier: ApiKeyVerifier; limiter: RateLimiter }, options: GuardOptions): onRequestHookHandler {
  const { verifier, limiter } = deps;
  const allowQuery = options.allowQuery ?? false;
  const kinds = options.kinds;
  const needed = kinds.length === 1 ? `a ${kinds[0]} key` : "an API key";

  function admit(request: FastifyRequest, reply: FastifyReply, key: VerifiedKey | null): AppError | undefined {
    if (!key) return new AppError("UNAUTHENTICATED", "The API key is not valid or has been revoked.");
    if (!kinds.includes(key.kind)) return new AppError("FORBIDDEN", `This endpoint needs ${needed}; a ${key.kind} key cannot use it.`);
    const wait = limiter.hit(key.id);
    if (wait > 0) {
      reply.header("retry-after", String(wait));
      return new AppError("RATE_LIMITED", `Too many requests for this API key; try again in ${wait} s.`);
    }
    request.apiKey = key;
    return undefined;
  }

  return function guard(request, reply, done) {
    const secret = presentedKey(request, allowQuery);
    if (!secret) {
      done(new AppError("UNAUTHENTICATED", "An API key is required: send it in X-API-Key or Authorization: Bearer."));
      return;
    }
    const cached = verifier.cached(secret);
    if (cached) {
      done(admit(request, reply, cached));
      return;
    }
    verifier.verify(secret).then(
      (key) => done(admit(request, reply, key)),
      (error: unknown) => done(new AppError("SERVICE_UNAVAILABLE", "The API key cannot be checked right now; try again shortly.", { cause: error })),
    );
  };
}
