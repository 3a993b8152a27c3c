import type { CurrentUser } from "@ensign/contracts/auth";
import { AppError } from "../../infra/errors";
import type { AuthRepository } from "./auth.repository";
import { invalid } from "../../infra/errors";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./passwords";
import { generateRefreshToken, sha256 } from "./secrets";

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export interface SessionTokens {
  sessionId: string;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: CurrentUser;
}

export interface AuthServiceDeps {
  repo: AuthRepository;
  refreshTokenTtlMs: number;
  now?: () => Date;
}

export function createAuthService({ repo, refreshTokenTtlMs, now = () => new Date() }: AuthServiceDeps) {
  async function currentUser(user: { id: string; email: string; name: string; isSuperadmin: boolean }): Promise<CurrentUser> {
    const memberships = await repo.membershipsOf(user.id);
    return { id: user.id, email: user.email, name: user.name, isSuperadmin: user.isSuperadmin, memberships };
  }

  async function openSession(user: { id: string; email: string; name: string; isSuperadmin: boolean }, client: ClientInfo): Promise<SessionTokens> {
    const { token, hash } = generateRefreshToken();
    const refreshExpiresAt = new Date(now().getTime() + refreshTokenTtlMs);
    const session = await repo.createSession({
      userId: user.id,
      refreshTokenHash: hash,
      expiresAt: refreshExpiresAt,
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 500),
    });
    await repo.touchLogin(user.id);
    return { sessionId: session.id, refreshToken: token, refreshExpiresAt, user: await currentUser(user) };
  }

  return {
    currentUser,

    /** Checks email and password and opens a session. Unknown email and wrong password look alike. */
    async login(email: string, password: string, client: ClientInfo): Promise<SessionTokens> {
      const user = await repo.findUserByEmail(email.toLowerCase());
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
      if (!user || !ok || user.disabledAt) {
        throw new AppError("INVALID_CREDENTIALS", "The email or password is not correct.");
      }
      return openSession(user, client);
    },

    /**
     * Opens a session for the user whose email an identity provider has verified. Nobody is
     * created here: an unknown or disabled account is refused.
     */
    async loginWithVerifiedEmail(email: string, client: ClientInfo): Promise<SessionTokens> {
      const user = await repo.findUserByEmail(email.trim().toLowerCase());
      if (!user || user.disabledAt) {
        throw new AppError("INVALID_CREDENTIALS", "No active Ensign account has this email.");
      }
      return openSession(user, client);
    },

    /**
     * Trades a refresh token for a new one (rotation). Presenting a token that was already
     * rotated away means it leaked: the whole session is revoked.
     */
    async refresh(refreshToken: string): Promise<SessionTokens> {
      const hash = sha256(refreshToken);
      const session = await repo.findSessionByRefreshHash(hash);
      if (!session) {
        const rotatedAway = await repo.findSessionByPreviousHash(hash);
        if (rotatedAway) await repo.revokeSession(rotatedAway.id);
      }
      if (!session || session.revokedAt || session.expiresAt <= now() || session.user.disabledAt) {
        throw new AppError("UNAUTHENTICATED", "The session has ended; sign in again.");
      }
      const next = generateRefreshToken();
      const refreshExpiresAt = new Date(now().getTime() + refreshTokenTtlMs);
      if (!(await repo.rotateSession(session.id, hash, next.hash, refreshExpiresAt))) {
        await repo.revokeSession(session.id);
        throw new AppError("UNAUTHENTICATED", "The session has ended; sign in again.");
      }
      return { sessionId: session.id, refreshToken: next.token, refreshExpiresAt, user: await currentUser(session.user) };
    },

    /**
     * Changes the signed-in user's password, checked against the current one, and ends every
     * other session of theirs (other browsers, a stolen refresh token); this one stays.
     */
    async changePassword(userId: string, sessionId: string, currentPassword: string, newPassword: string): Promise<void> {
      const user = await repo.findUserById(userId);
      if (!user || user.disabledAt) throw new AppError("UNAUTHENTICATED", "The session has ended; sign in again.");
      if (!(await verifyPassword(currentPassword, user.passwordHash))) {
        throw invalid("The current password is not correct.", [{ path: "body.currentPassword", message: "is not your current password" }]);
      }
      if (currentPassword === newPassword) {
        throw invalid("The new password is the current one.", [{ path: "body.newPassword", message: "must differ from the current password" }]);
      }
      await repo.changePassword(userId, await hashPassword(newPassword), sessionId);
    },

    async logout(sessionId: string): Promise<void> {
      await repo.revokeSession(sessionId);
    },

    /** The user behind a valid access token's session, or undefined when it no longer holds. */
    async activeUser(sessionId: string) {
      const session = await repo.findActiveSession(sessionId, now());
      if (!session || session.user.disabledAt) return undefined;
      return session.user;
    },

    membershipIn: repo.membershipIn,
    workspaceBySlug: repo.workspaceBySlug,
    findApiKeyByHash: repo.findApiKeyByHash,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
