import { createHmac } from "node:crypto";

/** The claims Ensign reads from a context token (contracts `ContextTokenClaims`). */
export interface ContextClaims {
  sub: string;
  tenantKey?: string;
  role?: string;
  attributes?: Record<string, unknown>;
}

/**
 * Signs a context token (a JWT, HS256) with the environment's context secret. Ensign trusts
 * its claims over anything the browser sends, so a producer only ever sees its own flags.
 */
export function mintContextToken(claims: ContextClaims, secret: string, ttlS: number, now = Date.now()): { token: string; expiresAt: string } {
  const iat = Math.floor(now / 1000);
  const exp = iat + ttlS;
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ ...claims, iat, exp })}`;
  const signature = createHmac("sha256", secret).update(unsigned).digest("base64url");
  return { token: `${unsigned}.${signature}`, expiresAt: new Date(exp * 1000).toISOString() };
}
