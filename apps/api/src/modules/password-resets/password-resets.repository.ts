import type { Role } from "@ensign/contracts/auth";
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

/** A member whose password may be reset, with their user. */
export interface ResetMember {
  id: string;
  role: Role;
  user: { id: string; email: string; isSuperadmin: boolean };
}

/** What says whether a link can still be used. */
export interface ResetUse {
  usedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date;
}

/**
 * Where the password resets service reads and writes. Methods that take a transaction work in
 * it, keeping to the workspace they are given; users and sessions are platform-wide. The two
 * without one read as the owner connection, across workspaces. Usable means not used, not
 * replaced and not past its expiry at `now`.
 */
export interface PasswordResetsRepository {
  /** The member and their user; never the password hash. */
  member(tx: Tx, workspaceId: string, memberId: string): Promise<ResetMember | null>;
  /** How many memberships `userId` has in workspaces where `ownerId` is not an owner. */
  membershipsBeyondOwnership(userId: string, ownerId: string): Promise<number>;
  /** Ends the user's earlier unused links issued in this workspace. */
  revokeUnused(tx: Tx, workspaceId: string, userId: string, now: Date): Promise<void>;
  create(tx: Tx, workspaceId: string, data: { userId: string; tokenHash: string; issuedById: string; createdAt: Date; expiresAt: Date }): Promise<{ id: string; expiresAt: Date }>;
  /** The link behind a token, with its user and workspace, found by the token's hash before any workspace is in scope. */
  findByTokenHash(tokenHash: string): Promise<ResolvedReset | null>;
  /** Marks the link used at `now` if it still is usable; false when it is not (of two redemptions at once, one wins). */
  consume(tx: Tx, workspaceId: string, id: string, now: Date): Promise<boolean>;
  find(tx: Tx, workspaceId: string, id: string): Promise<ResetUse | null>;
  membershipOf(tx: Tx, workspaceId: string, userId: string): Promise<{ id: string; role: Role } | null>;
  /** Sets the user's password and ends every session they have; how many were ended. */
  setPasswordAndEndSessions(tx: Tx, userId: string, passwordHash: string, now: Date): Promise<number>;
}

/**
 * The password resets repository over PostgreSQL (Prisma). `prisma` is the owner connection
 * links are resolved and memberships counted through; everything else uses the transaction
 * it is handed.
 */
export function createPasswordResetsRepository(prisma: PrismaClient): PasswordResetsRepository {
  const repo = passwordResetsRepository;
  return {
    member: (tx, workspaceId, memberId) => repo.member(tx, workspaceId, memberId),
    membershipsBeyondOwnership: (userId, ownerId) => repo.membershipsBeyondOwnership(prisma, userId, ownerId),
    async revokeUnused(tx, workspaceId, userId, now) {
      await repo.revokeUnused(tx, workspaceId, userId, now);
    },
    create: (tx, workspaceId, data) => repo.create(tx, workspaceId, data),
    findByTokenHash: (tokenHash) => repo.findByTokenHash(prisma, tokenHash),
    consume: (tx, workspaceId, id, now) => repo.consume(tx, workspaceId, id, now),
    find: (tx, workspaceId, id) => repo.find(tx, workspaceId, id),
    membershipOf: (tx, workspaceId, userId) => repo.membershipOf(tx, workspaceId, userId),
    setPasswordAndEndSessions: (tx, userId, passwordHash, now) => repo.setPasswordAndEndSessions(tx, userId, passwordHash, now),
  };
}
