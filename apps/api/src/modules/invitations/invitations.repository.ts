import type { Role } from "@ensign/contracts/auth";
import type { ListInvitationsQuery } from "@ensign/contracts/invitations";
import type { Prisma, PrismaClient } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { pageArgs } from "../../infra/paging";

/** Never the token hash: it is not even read. */
const INVITATION_SELECT = {
  id: true,
  workspaceId: true,
  email: true,
  role: true,
  invitedByEmail: true,
  expiresAt: true,
  acceptedAt: true,
  revokedAt: true,
  createdAt: true,
  tenant: { select: { id: true, key: true, name: true } },
} satisfies Prisma.InvitationSelect;

export type InvitationRow = Prisma.InvitationGetPayload<{ select: typeof INVITATION_SELECT }>;

/** Still usable: neither accepted nor revoked, and not past its expiry. */
const pendingAt = (now: Date) => ({ acceptedAt: null, revokedAt: null, expiresAt: { gt: now } }) satisfies Prisma.InvitationWhereInput;

function statusWhere(status: ListInvitationsQuery["status"], now: Date): Prisma.InvitationWhereInput {
  switch (status) {
    case "pending":
      return pendingAt(now);
    case "accepted":
      return { acceptedAt: { not: null } };
    case "revoked":
      return { revokedAt: { not: null } };
    case "expired":
      return { acceptedAt: null, revokedAt: null, expiresAt: { lte: now } };
    case "all":
      return {};
  }
}

export const invitationsRepository = {
  async list(tx: Tx, workspaceId: string, query: ListInvitationsQuery, now: Date) {
    const where: Prisma.InvitationWhereInput = { workspaceId, ...statusWhere(query.status, now) };
    const rows = await tx.invitation.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], ...pageArgs(query), select: INVITATION_SELECT });
    const total = await tx.invitation.count({ where });
    return { rows, total };
  },

  find(tx: Tx, workspaceId: string, id: string) {
    return tx.invitation.findFirst({ where: { workspaceId, id }, select: INVITATION_SELECT });
  },

  findPendingFor(tx: Tx, workspaceId: string, email: string, now: Date) {
    return tx.invitation.findFirst({ where: { workspaceId, email, ...pendingAt(now) }, select: { id: true } });
  },

  create(tx: Tx, workspaceId: string, data: NewInvitation) {
    return tx.invitation.create({ data: { ...data, workspaceId }, select: INVITATION_SELECT });
  },

  /** Marks the invitation used if it still is pending: of two acceptances at once, one wins. */
  async consume(tx: Tx, workspaceId: string, id: string, now: Date): Promise<boolean> {
    const { count } = await tx.invitation.updateMany({ where: { workspaceId, id, ...pendingAt(now) }, data: { acceptedAt: now } });
    return count === 1;
  },

  async revoke(tx: Tx, workspaceId: string, id: string, now: Date): Promise<boolean> {
    const { count } = await tx.invitation.updateMany({ where: { workspaceId, id, ...pendingAt(now) }, data: { revokedAt: now } });
    return count === 1;
  },

  /** The membership an email already has in the workspace, if any. */
  memberByEmail(tx: Tx, workspaceId: string, email: string) {
    return tx.membership.findFirst({ where: { workspaceId, user: { email } }, select: { id: true } });
  },

  tenantByKey(tx: Tx, workspaceId: string, key: string) {
    return tx.tenant.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, key: true } });
  },

  /** Users are platform-wide (no row-level security); only id and email are read. */
  findUserByEmail(tx: Tx, email: string) {
    return tx.user.findUnique({ where: { email }, select: { id: true, email: true, disabledAt: true } });
  },

  createUser(tx: Tx, data: { email: string; name: string; passwordHash: string }) {
    return tx.user.create({ data, select: { id: true, email: true } });
  },

  createMembership(tx: Tx, workspaceId: string, data: { userId: string; role: Role; tenantId: string | null }) {
    return tx.membership.create({ data: { ...data, workspaceId }, select: { id: true } });
  },

  /**
   * An invitation found by its token's hash, before any workspace is in scope: read as the owner
   * connection, like sessions and API keys.
   */
  findByTokenHash(prisma: PrismaClient, tokenHash: string) {
    return prisma.invitation.findUnique({
      where: { tokenHash },
      select: { ...INVITATION_SELECT, tenantId: true, workspace: { select: { slug: true, name: true, archivedAt: true } } },
    });
  },
};

export type ResolvedInvitation = NonNullable<Awaited<ReturnType<typeof invitationsRepository.findByTokenHash>>>;

/** A new invitation's columns: only the token's hash is stored. */
export interface NewInvitation {
  email: string;
  role: Role;
  tenantId: string | null;
  tokenHash: string;
  invitedById: string | null;
  invitedByEmail: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Where the invitations service reads and writes. Every method but `findByTokenHash` works in
 * the transaction it is given, and those that take the workspace keep to it; users are
 * platform-wide. Pending means neither accepted nor revoked, and not past its expiry at `now`.
 */
export interface InvitationsRepository {
  /** Narrowed by status at `now`; newest first. */
  list(tx: Tx, workspaceId: string, query: ListInvitationsQuery, now: Date): Promise<{ rows: InvitationRow[]; total: number }>;
  find(tx: Tx, workspaceId: string, id: string): Promise<InvitationRow | null>;
  /** A pending invitation of the email, if any. */
  findPendingFor(tx: Tx, workspaceId: string, email: string, now: Date): Promise<{ id: string } | null>;
  create(tx: Tx, workspaceId: string, data: NewInvitation): Promise<InvitationRow>;
  /** Marks the invitation accepted at `now` if it is still pending; false when it is not (of two acceptances at once, one wins). */
  consume(tx: Tx, workspaceId: string, id: string, now: Date): Promise<boolean>;
  /** Marks the invitation revoked at `now` if it is still pending; false when it is not. */
  revoke(tx: Tx, workspaceId: string, id: string, now: Date): Promise<boolean>;
  /** The membership an email already has in the workspace, if any. */
  memberByEmail(tx: Tx, workspaceId: string, email: string): Promise<{ id: string } | null>;
  tenantByKey(tx: Tx, workspaceId: string, key: string): Promise<{ id: string; key: string } | null>;
  findUserByEmail(tx: Tx, email: string): Promise<{ id: string; email: string } | null>;
  createUser(tx: Tx, data: { email: string; name: string; passwordHash: string }): Promise<{ id: string; email: string }>;
  createMembership(tx: Tx, workspaceId: string, data: { userId: string; role: Role; tenantId: string | null }): Promise<{ id: string }>;
  /** The invitation behind a link, with its workspace, found by the token's hash before any workspace is in scope. */
  findByTokenHash(tokenHash: string): Promise<ResolvedInvitation | null>;
}

/**
 * The invitations repository over PostgreSQL (Prisma). `prisma` is the owner connection links
 * are resolved through; everything else uses the transaction it is handed.
 */
export function createInvitationsRepository(prisma: PrismaClient): InvitationsRepository {
  const repo = invitationsRepository;
  return {
    list: (tx, workspaceId, query, now) => repo.list(tx, workspaceId, query, now),
    find: (tx, workspaceId, id) => repo.find(tx, workspaceId, id),
    findPendingFor: (tx, workspaceId, email, now) => repo.findPendingFor(tx, workspaceId, email, now),
    create: (tx, workspaceId, data) => repo.create(tx, workspaceId, data),
    consume: (tx, workspaceId, id, now) => repo.consume(tx, workspaceId, id, now),
    revoke: (tx, workspaceId, id, now) => repo.revoke(tx, workspaceId, id, now),
    memberByEmail: (tx, workspaceId, email) => repo.memberByEmail(tx, workspaceId, email),
    tenantByKey: (tx, workspaceId, key) => repo.tenantByKey(tx, workspaceId, key),
    findUserByEmail: (tx, email) => repo.findUserByEmail(tx, email),
    createUser: (tx, data) => repo.createUser(tx, data),
    createMembership: (tx, workspaceId, data) => repo.createMembership(tx, workspaceId, data),
    findByTokenHash: (tokenHash) => repo.findByTokenHash(prisma, tokenHash),
  };
}
