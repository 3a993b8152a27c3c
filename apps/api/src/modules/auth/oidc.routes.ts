import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../../infra/errors";
import { createSealer } from "../snapshots/sealing";
import { setRefreshCookie } from "./auth.routes";
import { OIDC_TRANSACTION_TTL_MS, OidcFailure, type OidcFailureCode, type OidcTransaction } from "./oidc";

export const OIDC_COOKIE = "ensign_oidc";
const OIDC_COOKIE_PATH = "/v1/auth/oidc";

export interface OidcRoutesOptions {
  /** Where the admin app is; null when single sign-on is not configured. */
  appUrl: string | null;
  secureCookies: boolean;
  /** Seals the transaction cookie: the browser carries it but can neither read nor forge it. */
  secret: string;
}

const StartQuery = z.object({
  /** Where in the admin app to land after signing in. */
  next: z.string().max(2_000).optional(),
});

/** The provider adds parameters of its own (`iss`, `session_state`…); the client reads them all. */
const CallbackQuery = z
  .object({
    code: z.string().max(4_096).optional(),
    state: z.string().max(1_024).optional(),
    error: z.string().max(256).optional(),
  })
  .loose();

const Redirect = z.null().describe("A redirect: `Location` says where to.");

/** Only same-app paths: never an open redirect. */
const safeNext = (next: string | undefined) => (next && next.startsWith("/") && !next.startsWith("//") && !next.includes("\\") ? next : "/");

/**
 * Signing in through the OpenID Connect provider: `start` sends the browser there, `callback`
 * is where it comes back. Success sets the same refresh cookie as a password sign-in and lands
 * in the admin app, which trades the cookie for an access token as on any reload; failure lands
 * on its login page with `?error=<code>`.
 */
export async function oidcRoutes(app: FastifyInstance, options: OidcRoutesOptions) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const sealer = createSealer(options.secret, "ensign oidc transaction");

  function configured() {
    const sso = app.services.oidc;
    if (!sso || !options.appUrl) throw new AppError("NOT_FOUND", "Single sign-on is not configured.");
    return { sso, appUrl: options.appUrl };
  }

  function failed(request: FastifyRequest, reply: FastifyReply, appUrl: string, code: OidcFailureCode, reason: unknown) {
    const cause = reason instanceof Error && reason.cause instanceof Error ? ` (${reason.cause.message})` : "";
    request.log.warn({ code, reason: `${reason instanceof Error ? reason.message : String(reason)}${cause}` }, "single sign-on refused");
    return reply.redirect(`${appUrl}/login?error=${code}`, 303);
  }

  r.get(
    "/start",
    {
      schema: {
        // A page the browser navigates to, like the admin app's: not an operation of the API document.
        hide: true,
        tags: ["auth"],
        operationId: "startSingleSignOn",
        summary: "Go to the OpenID Connect provider to sign in",
        description:
          "A page the browser navigates to, not an API call: redirects to the provider with a fresh state, nonce and PKCE challenge, kept in a short-lived sealed cookie. 404 when single sign-on is not configured.",
        security: [],
        querystring: StartQuery,
        response: { 302: Redirect, 303: Redirect },
      },
    },
    async (request, reply) => {
      const { sso, appUrl } = configured();
      let started: Awaited<ReturnType<typeof sso.start>>;
      try {
        started = await sso.start(safeNext(request.query.next));
      } catch (error) {
        request.log.error({ err: error }, "the OpenID Connect provider's discovery document could not be read");
        return reply.redirect(`${appUrl}/login?error=sso_unavailable`, 303);
      }
      reply.setCookie(OIDC_COOKIE, sealer.seal(JSON.stringify(started.transaction)), {
        httpOnly: true,
        // The provider sends the browser back with a top-level navigation from its own site.
        sameSite: "lax",
        secure: options.secureCookies,
        path: OIDC_COOKIE_PATH,
        maxAge: OIDC_TRANSACTION_TTL_MS / 1000,
      });
      return reply.redirect(started.url, 302);
    },
  );

  r.get(
    "/callback",
    {
      schema: {
        hide: true,
        tags: ["auth"],
        operationId: "finishSingleSignOn",
        summary: "Where the OpenID Connect provider sends the browser back",
        description:
          "Checks state, nonce and PKCE, verifies the ID token and requires a verified email that belongs to an active Ensign account (nobody is created). Success sets the refresh cookie and redirects to the admin app; failure redirects to its login page with `?error=<code>`. 404 when single sign-on is not configured.",
        security: [],
        querystring: CallbackQuery,
        response: { 303: Redirect },
      },
    },
    async (request, reply) => {
      const { sso, appUrl } = configured();
      const sealed = request.cookies[OIDC_COOKIE];
      reply.clearCookie(OIDC_COOKIE, { path: OIDC_COOKIE_PATH });
      const transaction = sealed ? parseTransaction(sealer.unseal(sealed)) : undefined;
      const query = new URLSearchParams(request.url.slice(request.url.indexOf("?") + 1 || request.url.length));
      try {
        const tokens = await sso.finish(query, transaction, { ip: request.ip, userAgent: request.headers["user-agent"] });
        setRefreshCookie(reply, tokens, options.secureCookies);
        request.log.info({ userId: tokens.user.id, method: "oidc" }, "signed in through single sign-on");
        return reply.redirect(`${appUrl}${transaction!.next}`, 303);
      } catch (error) {
        if (error instanceof OidcFailure) return failed(request, reply, appUrl, error.code, error);
        request.log.error({ err: error }, "single sign-on failed");
        return reply.redirect(`${appUrl}/login?error=sso_failed`, 303);
      }
    },
  );
}

function parseTransaction(plain: string | undefined): OidcTransaction | undefined {
  if (!plain) return undefined;
  try {
    const value = JSON.parse(plain) as Partial<OidcTransaction>;
    const strings = [value.state, value.nonce, value.codeVerifier, value.next];
    return strings.every((item) => typeof item === "string") && typeof value.expiresAt === "number" ? (value as OidcTransaction) : undefined;
  } catch {
    return undefined;
  }
}
