import { AppError } from "../../infra/errors";
import type { AuthService, ClientInfo, SessionTokens } from "./auth.service";
import { OidcFailure, type OidcClient, type OidcTransaction } from "./oidc";

export interface OidcSignInDeps {
  client: OidcClient;
  auth: AuthService;
}

/**
 * Single sign-on: the provider vouches for a verified email, and the Ensign account with that
 * email gets a session exactly as a password sign-in would. Nobody is created here.
 */
export function createOidcSignInService({ client, auth }: OidcSignInDeps) {
  return {
    start: client.start,

    /** The session of the account the provider's answer names; an {@link OidcFailure} says why not. */
    async finish(query: URLSearchParams, transaction: OidcTransaction | undefined, info: ClientInfo): Promise<SessionTokens> {
      const identity = await client.finish(query, transaction);
      try {
        return await auth.loginWithVerifiedEmail(identity.email, info);
      } catch (error) {
        if (error instanceof AppError && error.code === "INVALID_CREDENTIALS") {
          throw new OidcFailure("sso_unknown_user", "No active Ensign account has the provider's verified email.", { cause: error });
        }
        throw error;
      }
    },
  };
}

export type OidcSignInService = ReturnType<typeof createOidcSignInService>;
