import type { PrismaClient } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

/** Still usable: not used, not replaced, not past its expiry. */
const usableAt = (now: Date) => ({ usedAt: null, revokedAt: null, expiresAt: { gt: now } });

export const passwordResetsRepository = {
  /** The member and their user; never the password hash. */
  member(tx: Tx, workspaceId: string, memberId: string) {
    return tx.membership.findFirst({
      where: { workspaceId, id: memberId },
      select: { id: true, role: true, user: { select: { id: true, email: true, isSuperadmin: true } } },
    });
  },

  /**
   * Memberships of `userId` in workspaces where `ownerId` is not an owner: read across
   * workspaces, so as the owner connection, like the session checks.
   */
  membershipsBeyondOwnership(prisma: PrismaClient, userId: string, ownerId: string) {
    return prisma.membership.count({
      where: { userId, workspace: { memberships: { none: { userId: ownerId, role: "owner" } } } },
    });
  },

  /** Ends the user's earlier unused links issued in this workspace: only the newest one works. */
  revokeUnused(tx: Tx, workspaceId: string, userId: string, now: Date) {
    return tx.passwordReset.updateMany({ where: { workspaceId, userId, usedAt: null, revokedAt: null }, data: { revokedAt: now } });
  },

  create(tx: Tx, workspaceId: string, data: { userId: string; tokenHash: string; issuedById: string; createdAt: Date; expiresAt: Date }) {
    return tx.passwordReset.create({ data: { ...data, workspaceId }, select: { id: true, expiresAt: true } });
  },

  /** A link found by its token's hash, before any workspace is in scope: read as the owner connection. */
  findByTokenHash(prisma: PrismaClient, tokenHash: string) {
    return prisma.passwordReset.findUnique({
      where: { tokenHash },
      select: {
        id: true,
        workspaceId: true,
        userId: true,
        expiresAt: true,
        usedAt: true,
        revokedAt: true,
        user: { select: { email: true, disabledAt: true } },
        workspace: { select: { archivedAt: true } },
      },
    });
  },

  /** Marks the link used if it still is usable: of two redemptions at once, one wins. */
  async consume(tx: Tx, workspaceId: string, id: string, now: Date): Promise<boolean> {
    const { count } = await tx.passwordReset.updateMany({ where: { workspaceId, id, ...usableAt(now) }, data: { usedAt: now } });
    return count === 1;
  },

  find(tx: Tx, workspaceId: string, id: string) {
    return tx.passwordReset.findFirst({ where: { workspaceId, id }, select: { usedAt: true, revokedAt: true, expiresAt: true } });
  },

  membershipOf(tx: Tx, workspaceId: string, userId: string) {
    return tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select: { id: true, role: true } });
  },

  /** Users and sessions are platform-wide (no row-level security). */
  async setPasswordAndEndSessions(tx: Tx, userId: string, passwordHash: string, now: Date) {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, version: { increment: 1 } } });
    const { count } = await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    return count;
  },
};

export type ResolvedReset = NonNullable<Awaited<ReturnType<typeof passwordResetsRepository.findByTokenHash>>>;
