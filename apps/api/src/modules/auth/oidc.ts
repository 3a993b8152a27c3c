import * as openid from "openid-client";
import type { OidcConfig } from "../../config";

/** What the browser keeps between leaving for the provider and coming back: sealed in a cookie. */
export interface OidcTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where in the admin app to land afterwards (a same-app path). */
  next: string;
  /** Epoch milliseconds after which the transaction is refused. */
  expiresAt: number;
}

/** Why a sign-in through the provider failed; the login page says it in words. */
export type OidcFailureCode =
  | "sso_expired"
  | "sso_state"
  | "sso_denied"
  | "sso_unverified"
  | "sso_unknown_user"
  | "sso_failed"
  | "sso_unavailable";

export class OidcFailure extends Error {
  constructor(
    readonly code: OidcFailureCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "OidcFailure";
  }
}

/** The identity the provider vouched for. */
export interface OidcIdentity {
  subject: string;
  email: string;
}

/** How long someone may spend at the provider before coming back. */
export const OIDC_TRANSACTION_TTL_MS = 10 * 60_000;

/**
 * The relying party: builds the authorization request (code flow, PKCE, state and nonce) and
 * turns the provider's answer into a verified email. The provider's discovery document is read
 * on first use and kept; a failed read is tried again on the next sign-in.
 */
export function createOidcClient(config: OidcConfig, now: () => number = Date.now) {
  let discovered: Promise<openid.Configuration> | undefined;

  function configuration(): Promise<openid.Configuration> {
    const issuer = new URL(config.issuer);
    // Config allows plain http only for a provider on the loopback interface.
    const options = issuer.protocol === "http:" ? { execute: [openid.allowInsecureRequests] } : undefined;
    discovered ??= openid.discovery(issuer, config.clientId, config.clientSecret, undefined, options).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  }

  return {
    /** The provider's authorization URL and the transaction the browser must bring back. */
    async start(next: string): Promise<{ url: string; transaction: OidcTransaction }> {
      const provider = await configuration();
      const transaction: OidcTransaction = {
        state: openid.randomState(),
        nonce: openid.randomNonce(),
        codeVerifier: openid.randomPKCECodeVerifier(),
        next,
        expiresAt: now() + OIDC_TRANSACTION_TTL_MS,
      };
      const url = openid.buildAuthorizationUrl(provider, {
        redirect_uri: config.redirectUrl,
        scope: config.scopes,
        code_challenge: await openid.calculatePKCECodeChallenge(transaction.codeVerifier),
        code_challenge_method: "S256",
        state: transaction.state,
        nonce: transaction.nonce,
      });
      return { url: url.href, transaction };
    },

    /**
     * Checks the callback against the transaction, trades the code for tokens, verifies the ID
     * token (signature, issuer, audience, nonce) and returns the subject and its email, which the
     * provider must have verified. The email comes from the ID token, else from the userinfo endpoint.
     */
    async finish(query: URLSearchParams, transaction: OidcTransaction | undefined): Promise<OidcIdentity> {
      if (!transaction || transaction.expiresAt <= now()) {
        throw new OidcFailure("sso_expired", "The sign-in took too long or was started in another browser.");
      }
      if (query.get("state") !== transaction.state) {
        throw new OidcFailure("sso_state", "The sign-in answer does not belong to this browser's sign-in.");
      }
      if (query.has("error")) {
        throw new OidcFailure("sso_denied", `The identity provider refused the sign-in (${query.get("error")}).`);
      }
      const provider = await configuration();
      const callback = new URL(config.redirectUrl);
      callback.search = query.toString();
      let tokens: Awaited<ReturnType<typeof openid.authorizationCodeGrant>>;
      try {
        tokens = await openid.authorizationCodeGrant(provider, callback, {
          pkceCodeVerifier: transaction.codeVerifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw new OidcFailure("sso_failed", "The identity provider's answer could not be verified.", { cause: error });
      }
      const claims = tokens.claims()!;
      let email = claims.email;
      let verified = claims.email_verified;
      if (typeof email !== "string") {
        const info = await openid.fetchUserInfo(provider, tokens.access_token, claims.sub).catch((error: unknown) => {
          throw new OidcFailure("sso_failed", "The identity provider's user information could not be read.", { cause: error });
        });
        email = info.email;
        verified = info.email_verified;
      }
      if (typeof email !== "string" || email === "") {
        throw new OidcFailure("sso_unverified", "The identity provider did not share an email address; ask for the email scope.");
      }
      if (verified !== true) {
        throw new OidcFailure("sso_unverified", "The identity provider has not verified this email address.");
      }
      return { subject: claims.sub, email };
    },
  };
}

export type OidcClient = ReturnType<typeof createOidcClient>;
