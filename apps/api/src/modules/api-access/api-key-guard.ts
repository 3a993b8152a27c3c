import { API_KEY_HEADER } from "@ensign/contracts/portal";
import type { IncomingHttpHeaders } from "node:http";
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from "fastify";
import { AppError } from "../../infra/errors";
import type { ApiKeyVerifier, VerifiedKey } from "./api-key-verifier";
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

/** The secret presented in the headers: `X-API-Key`, else `Authorization: Bearer`. */
export function presentedKeyIn(headers: IncomingHttpHeaders): string | undefined {
  const header = headers[API_KEY_HEADER];
  if (typeof header === "string" && header) return header;
  const authorization = headers.authorization;
  if (authorization && authorization.startsWith("Bearer ")) return authorization.slice(7).trim();
  return undefined;
}

/** The presented secret: `X-API-Key`, `Authorization: Bearer`, or (where allowed) `?apiKey=`. */
export function presentedKey(request: FastifyRequest, allowQuery: boolean): string | undefined {
  const header = presentedKeyIn(request.headers);
  if (header) return header;
  if (allowQuery) {
    const query = (request.query as { apiKey?: unknown } | undefined)?.apiKey;
    if (typeof query === "string" && query) return query;
  }
  return undefined;
}

export const MISSING_KEY = "An API key is required: send it in X-API-Key or Authorization: Bearer.";
export const KEY_UNAVAILABLE = "The API key cannot be checked right now; try again shortly.";

/** Why a request with this key may not go ahead (and the Retry-After to send), or undefined when it may. */
export type Refusal = { error: AppError; retryAfter?: string } | undefined;

/**
 * Whether a verified key (null: unknown or revoked) may make this request: one of the accepted
 * kinds, within its rate limit (the request is counted against it).
 */
export function refusalOf(key: VerifiedKey | null, kinds: readonly VerifiedKey["kind"][], limiter: RateLimiter): Refusal {
  if (!key) return { error: new AppError("UNAUTHENTICATED", "The API key is not valid or has been revoked.") };
  if (!kinds.includes(key.kind)) {
    const needed = kinds.length === 1 ? `a ${kinds[0]} key` : "an API key";
    return { error: new AppError("FORBIDDEN", `This endpoint needs ${needed}; a ${key.kind} key cannot use it.`) };
  }
  const wait = limiter.hit(key.id);
  if (wait > 0) return { error: new AppError("RATE_LIMITED", `Too many requests for this API key; try again in ${wait} s.`), retryAfter: String(wait) };
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

  function admit(request: FastifyRequest, reply: FastifyReply, key: VerifiedKey | null): AppError | undefined {
    const refusal = refusalOf(key, kinds, limiter);
    if (refusal) {
      if (refusal.retryAfter) reply.header("retry-after", refusal.retryAfter);
      return refusal.error;
    }
    request.apiKey = key!;
    return undefined;
  }

  return function guard(request, reply, done) {
    const secret = presentedKey(request, allowQuery);
    if (!secret) {
      done(new AppError("UNAUTHENTICATED", MISSING_KEY));
      return;
    }
    const cached = verifier.cached(secret);
    if (cached) {
      done(admit(request, reply, cached));
      return;
    }
    verifier.verify(secret).then(
      (key) => done(admit(request, reply, key)),
      (error: unknown) => done(new AppError("SERVICE_UNAVAILABLE", KEY_UNAVAILABLE, { cause: error })),
    );
  };
}
