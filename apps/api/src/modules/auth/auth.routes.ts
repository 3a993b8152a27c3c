import { ChangePasswordBody, CurrentUser, LoginBody, RefreshBody, SignInMethods, TokenResponse } from "@ensign/contracts/auth";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../../infra/auth";
import { AppError } from "../../infra/errors";
import type { SessionTokens } from "./auth.service";

export const REFRESH_COOKIE = "ensign_refresh";
const COOKIE_PATH = "/v1/auth";

export interface AuthRoutesOptions {
  accessTokenTtlMs: number;
  secureCookies: boolean;
  /** False when email-and-password sign-in is switched off (single sign-on only). */
  passwordLogin: boolean;
  /** The button of the OpenID Connect provider; null when single sign-on is not configured. */
  oidcLabel: string | null;
}

/** The session's refresh token, as every way of signing in hands it to the browser. */
export function setRefreshCookie(reply: FastifyReply, tokens: SessionTokens, secure: boolean) {
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, {
    httpOnly: true,
    sameSite: "strict",
    secure,
    path: COOKIE_PATH,
    expires: tokens.refreshExpiresAt,
  });
}

export async function authRoutes(app: FastifyInstance, options: AuthRoutesOptions) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = app.services.auth;

  function issue(reply: FastifyReply, tokens: SessionTokens) {
    setRefreshCookie(reply, tokens, options.secureCookies);
    return {
      accessToken: app.signAccessToken({ userId: tokens.user.id, sessionId: tokens.sessionId }),
      tokenType: "Bearer" as const,
      expiresIn: Math.floor(options.accessTokenTtlMs / 1000),
      user: tokens.user,
    };
  }

  const client = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers["user-agent"] });

  r.post(
    "/login",
    {
      schema: {
        tags: ["auth"],
        operationId: "login",
        summary: "Sign in with email and password",
        description: "Returns a short-lived access token and sets the refresh token as an httpOnly cookie. Too many attempts per address and account, per account, or per address answer 429 with Retry-After.",
        security: [],
        body: LoginBody,
        response: { 200: TokenResponse },
      },
      // Before the body is even read: with single sign-on only, no password is ever checked.
      onRequest: async () => {
        if (!options.passwordLogin) {
          throw new AppError("FORBIDDEN", `Signing in with a password is switched off here; sign in with ${options.oidcLabel ?? "single sign-on"}.`);
        }
      },
      // After the body is read (the budgets are per account too), before the password is checked.
      preHandler: async (request, reply) => {
        const wait = await app.services.loginThrottle.attempt(request.ip, request.body.email);
        if (wait === 0) return;
        reply.header("retry-after", String(wait));
        throw new AppError("RATE_LIMITED", `Too many sign-in attempts; try again in ${wait} s.`);
      },
    },
    async (request, reply) => issue(reply, await auth.login(request.body.email, request.body.password, client(request))),
  );

  r.get(
    "/providers",
    {
      schema: {
        tags: ["auth"],
        operationId: "getSignInMethods",
        summary: "How people may sign in here",
        description: "Whether the email-and-password form is on, and the OpenID Connect provider's button, if any. The login page asks before it shows itself.",
        security: [],
        response: { 200: SignInMethods },
      },
    },
    async () => ({
      password: options.passwordLogin,
      oidc: options.oidcLabel ? { label: options.oidcLabel, startUrl: "/v1/auth/oidc/start" } : null,
    }),
  );

  r.post(
    "/refresh",
    {
      schema: {
        tags: ["auth"],
        operationId: "refreshSession",
        summary: "Trade the refresh token (cookie or body) for a new access token",
        // The refresh token is its own credential: the cookie, or `refreshToken` in the body.
        security: [{ refreshCookie: [] }, {}],
        body: RefreshBody,
        response: { 200: TokenResponse },
      },
    },
    async (request, reply) => {
      const token = request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];
      if (!token) throw new AppError("UNAUTHENTICATED", "No refresh token; sign in again.");
      return issue(reply, await auth.refresh(token));
    },
  );

  r.post(
    "/logout",
    {
      onRequest: [app.requireSession],
      schema: { tags: ["auth"], operationId: "logout", summary: "End the session", security: [{ bearerAuth: [] }], response: { 204: z.null() } },
    },
    async (request, reply) => {
      await auth.logout(principalOf(request).sessionId!);
      reply.clearCookie(REFRESH_COOKIE, { path: COOKIE_PATH });
      return reply.code(204).send(null);
    },
  );

  r.post(
    "/password",
    {
      onRequest: [app.requireSession],
      schema: {
        tags: ["auth"],
        operationId: "changePassword",
        summary: "Change your own password",
        description:
          "Needs the current password (400 naming `body.currentPassword` when it is wrong). Every other session of the user ends at once; this one stays signed in.",
        security: [{ bearerAuth: [] }],
        body: ChangePasswordBody,
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await auth.changePassword(principal.userId, principal.sessionId!, request.body.currentPassword, request.body.newPassword);
      return reply.code(204).send(null);
    },
  );

  r.get(
    "/me",
    {
      onRequest: [app.authenticate],
      schema: { tags: ["auth"], operationId: "getCurrentUser", summary: "The signed-in user and their workspaces", security: [{ bearerAuth: [] }], response: { 200: CurrentUser } },
    },
    async (request) => {
      const principal = principalOf(request);
      return auth.currentUser({ id: principal.userId, email: principal.email, name: principal.name, isSuperadmin: principal.isSuperadmin });
    },
  );
}
