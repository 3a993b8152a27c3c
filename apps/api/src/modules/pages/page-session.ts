import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { UserPrincipal } from "../../infra/auth";

/** The session cookie of the pages that work without JavaScript: a signed `{sub, sid, typ: "page"}`. */
export const PAGE_COOKIE = "ensign_page";
/** The sign-in form's double-submit token, before there is a session to bind one to. */
export const LOGIN_CSRF_COOKIE = "ensign_login_csrf";

interface PageTokenPayload {
  sub: string;
  sid: string;
  typ: "page";
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Sessions of the no-JavaScript pages. Signing in with the form opens an ordinary session (the
 * `sessions` row of ADR 0003, so sign-out, a disabled user and a removed membership end it the
 * same way); its id travels in an httpOnly, SameSite=Lax cookie signed with the API's secret,
 * whose `typ` the bearer check refuses. Every form carries a CSRF token: an HMAC of the session
 * id, so it is worthless in any other session and needs no storage.
 */
export function createPageSessions(app: FastifyInstance, options: { secret: string; secure: boolean }) {
  const csrfOf = (sessionId: string) => createHmac("sha256", options.secret).update(`ensign-page-csrf:${sessionId}`).digest("base64url");
  const cookie = { httpOnly: true, sameSite: "lax" as const, secure: options.secure, path: "/" };

  return {
    csrfOf,

    /** The signed-in user of the page session, or null when there is none or it has ended. */
    async principal(request: FastifyRequest): Promise<UserPrincipal | null> {
      const token = request.cookies[PAGE_COOKIE];
      if (!token) return null;
      let payload: PageTokenPayload;
      try {
        payload = app.jwt.verify(token) as unknown as PageTokenPayload;
      } catch {
        return null;
      }
      if (payload.typ !== "page" || typeof payload.sid !== "string" || typeof payload.sub !== "string") return null;
      const user = await app.services.auth.activeUser(payload.sid);
      if (!user || user.id !== payload.sub) return null;
      return { userId: user.id, sessionId: payload.sid, email: user.email, name: user.name, isSuperadmin: user.isSuperadmin };
    },

    /** Whether a form's token is the one of this session. */
    csrfValid(sessionId: string, token: unknown): boolean {
      return typeof token === "string" && equal(token, csrfOf(sessionId));
    },

    start(reply: FastifyReply, session: { userId: string; sessionId: string; expiresAt: Date }) {
      const seconds = Math.max(1, Math.floor((session.expiresAt.getTime() - Date.now()) / 1000));
      const token = app.jwt.sign({ sub: session.userId, sid: session.sessionId, typ: "page" } as unknown as { sub: string; sid: string; typ: "access" }, { expiresIn: seconds });
      reply.setCookie(PAGE_COOKIE, token, { ...cookie, expires: session.expiresAt });
    },

    end(reply: FastifyReply) {
      reply.clearCookie(PAGE_COOKIE, cookie);
    },

    /** The sign-in form's token: the cookie's value, set now when the browser has none. */
    loginToken(request: FastifyRequest, reply: FastifyReply): string {
      const existing = request.cookies[LOGIN_CSRF_COOKIE];
      if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) return existing;
      const token = randomBytes(24).toString("base64url");
      reply.setCookie(LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: "strict", secure: options.secure, path: "/login" });
      return token;
    },

    loginTokenValid(request: FastifyRequest, token: unknown): boolean {
      const expected = request.cookies[LOGIN_CSRF_COOKIE];
      return typeof token === "string" && !!expected && equal(token, expected);
    },
  };
}

export type PageSessions = ReturnType<typeof createPageSessions>;
