import type { PrismaClient } from "../../generated/prisma/client";

/**
 * Users, sessions and memberships across workspaces: platform-level data, read before any
 * workspace is in scope, so these queries run as the owner connection.
 */
export function createAuthRepository(prisma: PrismaClient) {
  return {
    findUserByEmail(email: string) {
      return prisma.user.findUnique({ where: { email } });
    },

    createSession(data: { userId: string; refreshTokenHash: string; expiresAt: Date; ip?: string; userAgent?: string }) {
      return prisma.session.create({ data });
    },

    findSessionByRefreshHash(refreshTokenHash: string) {
      return prisma.session.findUnique({ where: { refreshTokenHash }, include: { user: true } });
    },

    findSessionByPreviousHash(previousTokenHash: string) {
      return prisma.session.findUnique({ where: { previousTokenHash }, select: { id: true } });
    },

    /** The session and its user, for checking an access token on every request. */
    findActiveSession(sessionId: string, now: Date) {
      return prisma.session.findFirst({
        where: { id: sessionId, revokedAt: null, expiresAt: { gt: now } },
        select: {
          id: true,
          user: { select: { id: true, email: true, name: true, isSuperadmin: true, disabledAt: true } },
        },
      });
    },

    /** Swaps the refresh token only if the old one is still current: a replayed token loses the race. */
    async rotateSession(sessionId: string, oldHash: string, newHash: string, expiresAt: Date) {
      const { count } = await prisma.session.updateMany({
        where: { id: sessionId, refreshTokenHash: oldHash, revokedAt: null },
        data: { refreshTokenHash: newHash, previousTokenHash: oldHash, expiresAt, lastUsedAt: new Date() },
      });
      return count === 1;
    },

    revokeSession(sessionId: string) {
      return prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
    },

    revokeAllSessions(userId: string) {
      return prisma.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
    },

    findUserById(userId: string) {
      return prisma.user.findUnique({ where: { id: userId }, select: { id: true, passwordHash: true, disabledAt: true } });
    },

    /** Sets the password and ends every other session of the user, together. */
    changePassword(userId: string, passwordHash: string, keepSessionId: string) {
      return prisma.$transaction([
        prisma.user.update({ where: { id: userId }, data: { passwordHash } }),
        prisma.session.updateMany({ where: { userId, revokedAt: null, id: { not: keepSessionId } }, data: { revokedAt: new Date() } }),
      ]);
    },

    touchLogin(userId: string) {
      return prisma.user.update({ where: { id: userId }, data: { lastLoginAt: new Date() } });
    },

    membershipsOf(userId: string) {
      return prisma.membership.findMany({
        where: { userId, workspace: { archivedAt: null } },
        orderBy: { createdAt: "asc" },
        select: {
          role: true,
          workspace: { select: { id: true, slug: true, name: true } },
          tenant: { select: { id: true, key: true, name: true } },
        },
      });
    },

    /** The caller's membership in one workspace, found by slug. */
    membershipIn(userId: string, workspaceSlug: string) {
      return prisma.workspace.findFirst({
        where: { slug: workspaceSlug, archivedAt: null },
        select: {
          id: true,
          slug: true,
          name: true,
          memberships: { where: { userId }, select: { id: true, role: true, tenantId: true } },
        },
      });
    },

    /** A live workspace by slug, for a service token (which has no membership). */
    workspaceBySlug(workspaceSlug: string) {
      return prisma.workspace.findFirst({ where: { slug: workspaceSlug, archivedAt: null }, select: { id: true, slug: true, name: true } });
    },

    findApiKeyByHash(secretHash: string) {
      return prisma.apiKey.findUnique({
        where: { secretHash },
        select: {
          id: true,
          kind: true,
          revokedAt: true,
          workspaceId: true,
          environmentId: true,
          environment: { select: { key: true } },
          workspace: { select: { slug: true, archivedAt: true } },
        },
      });
    },
  };
}

export type AuthRepository = ReturnType<typeof createAuthRepository>;
