import { createHash, randomBytes } from "node:crypto";

export type ApiKeyKind = "server" | "client";

const KIND_TAG: Record<ApiKeyKind, string> = { server: "srv", client: "cli" };

/**
 * A new API key: `ens_<srv|cli>_<43 random base64url characters>` (256 bits). Only its SHA-256
 * is stored; a key of that entropy needs no slow hash. The prefix identifies it in lists.
 */
export function generateApiKey(kind: ApiKeyKind): { secret: string; prefix: string; hash: string } {
  const secret = `ens_${KIND_TAG[kind]}_${randomBytes(32).toString("base64url")}`;
  return { secret, prefix: secret.slice(0, 14), hash: sha256(secret) };
}

/** The kind a key's text claims, or undefined when it is not shaped like one of ours. */
export function apiKeyKindOf(secret: string): ApiKeyKind | undefined {
  if (!/^ens_(srv|cli)_[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  return secret.startsWith("ens_srv_") ? "server" : "client";
}

export type AccessTokenKind = "personal" | "service";

const TOKEN_TAG: Record<AccessTokenKind, string> = { personal: "pat", service: "svc" };

/**
 * A new access token for automation: `ens_<pat|svc>_<43 random base64url characters>` (256
 * bits), stored as its SHA-256 like API keys. The prefix identifies it in lists.
 */
export function generateAccessToken(kind: AccessTokenKind): { secret: string; prefix: string; hash: string } {
  const secret = `ens_${TOKEN_TAG[kind]}_${randomBytes(32).toString("base64url")}`;
  return { secret, prefix: secret.slice(0, 14), hash: sha256(secret) };
}

/** The kind of access token a bearer credential claims to be, or undefined (a JWT, or nothing of ours). */
export function accessTokenKindOf(credential: string): AccessTokenKind | undefined {
  if (credential.startsWith("ens_pat_")) return "personal";
  if (credential.startsWith("ens_svc_")) return "service";
  return undefined;
}

/** An opaque refresh token, stored hashed. */
export function generateRefreshToken(): { token: string; hash: string } {
  const token = `ert_${randomBytes(32).toString("base64url")}`;
  return { token, hash: sha256(token) };
}

/**
 * The secret of a one-time link (`ein_` invitation, `epr_` password reset): 256 random bits, so
 * only its SHA-256 is stored, as for API keys.
 */
export function generateLinkToken(kind: "invitation" | "password_reset"): { token: string; hash: string } {
  const token = `${kind === "invitation" ? "ein" : "epr"}_${randomBytes(32).toString("base64url")}`;
  return { token, hash: sha256(token) };
}

/** A signing secret for an environment's context tokens. */
export function generateSigningSecret(): string {
  return `ecs_${randomBytes(32).toString("base64url")}`;
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
