import { ContextTokenClaims } from "@ensign/contracts/portal";
import type { EvaluationContext } from "@ensign/contracts/evaluation";
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from "jose";
import { guardedFetch, parseOutboundAllow, type OutboundPolicy } from "../../infra/outbound";
import { AppError } from "../../infra/errors";
import type { EnvironmentMeta } from "../snapshots/snapshot-copies";
import { contextIssue } from "./context-limits";

const ASYMMETRIC = ["RS256", "ES256"];
const MAX_REMEMBERED = 10_000;

interface Remembered {
  environmentId: string;
  /** The secret it was checked against: a rotated secret makes it unknown again. */
  secret: string;
  context: EvaluationContext;
  expiresAt: number;
}

const refused = (why: string) => new AppError("UNAUTHENTICATED", `The context token is not valid: ${why}.`);

/** The evaluation context a token's claims describe: exactly these, nothing the caller sent. */
export function contextFromClaims(claims: ContextTokenClaims): EvaluationContext {
  const context: EvaluationContext = { ...claims.attributes, targetingKey: claims.sub };
  if (claims.tenantKey !== undefined) context.tenantKey = claims.tenantKey;
  if (claims.role !== undefined) context.role = claims.role;
  return context;
}

/**
 * Verifies signed context tokens: HS256 with the environment's context secret, or RS256/ES256
 * from the environment's configured issuer (its JWKS fetched and cached by `jose`). `exp` is
 * required; `alg: none` and any other algorithm are refused. A verified token is remembered
 * until it expires, so a portal that sends the same token on every request pays for the
 * signature check once.
 */
export function createContextTokenVerifier({ now = Date.now, outbound = parseOutboundAllow(undefined) }: { now?: () => number; outbound?: OutboundPolicy } = {}) {
  // JWKS documents are fetched only from addresses the outbound policy allows, checked at each connection.
  const fetchJwks = guardedFetch(outbound);
  const remembered = new Map<string, Remembered>();
  const secrets = new Map<string, { secret: string; key: Uint8Array }>();
  const keySets = new Map<string, JWTVerifyGetKey>();

  function secretKey(meta: EnvironmentMeta): Uint8Array {
    const known = secrets.get(meta.environmentId);
    if (known && known.secret === meta.contextSecret) return known.key;
    const key = new TextEncoder().encode(meta.contextSecret);
    secrets.set(meta.environmentId, { secret: meta.contextSecret, key });
    return key;
  }

  function keySet(url: string): JWTVerifyGetKey {
    let set = keySets.get(url);
    if (!set) keySets.set(url, (set = createRemoteJWKSet(new URL(url), { cacheMaxAge: 600_000, cooldownDuration: 30_000, [customFetch]: fetchJwks })));
    return set;
  }

  async function verifySignature(token: string, meta: EnvironmentMeta) {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw refused("it is not a JWT");
    }
    try {
      if (alg === "HS256") return (await jwtVerify(token, secretKey(meta), { algorithms: ["HS256"], requiredClaims: ["exp", "sub"] })).payload;
      if (alg && ASYMMETRIC.includes(alg) && meta.contextIssuer && meta.contextJwksUrl) {
        const options = { algorithms: ASYMMETRIC, issuer: meta.contextIssuer, requiredClaims: ["exp", "sub"] };
        return (await jwtVerify(token, keySet(meta.contextJwksUrl), options)).payload;
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ERR_JWT_EXPIRED") throw refused("it has expired");
      if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") throw refused((error as Error).message);
      throw refused("its signature does not verify");
    }
    throw refused(`algorithm ${alg ?? "none"} is not accepted here`);
  }

  /** The context of a token verified before for this environment and secret, while it lasts. */
  function recall(token: string, meta: EnvironmentMeta): EvaluationContext | undefined {
    const known = remembered.get(token);
    if (known && known.environmentId === meta.environmentId && known.secret === meta.contextSecret && known.expiresAt > now()) return known.context;
    return undefined;
  }

  return {
    recall,

    /** The context a token carries for this environment; 401 when it is not valid here. */
    async verify(token: string, meta: EnvironmentMeta): Promise<EvaluationContext> {
      const known = recall(token, meta);
      if (known) return known;

      const payload = await verifySignature(token, meta);
      const claims = ContextTokenClaims.safeParse(payload);
      if (!claims.success) throw refused(claims.error.issues.map((i) => `${i.path.join(".") || "claims"}: ${i.message}`).join("; "));
      const context = contextFromClaims(claims.data);
      const issue = contextIssue(context);
      if (issue) throw refused(issue);

      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.set(token, { environmentId: meta.environmentId, secret: meta.contextSecret, context, expiresAt: claims.data.exp * 1000 });
      return context;
    },
  };
}

export type ContextTokenVerifier = ReturnType<typeof createContextTokenVerifier>;
