import type { Role } from "@ensign/contracts/auth";
import type { ListMembersQuery } from "@ensign/contracts/members";
import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { containing, pageArgs } from "../../infra/paging";

/** Never the password hash: it is not even read. */
const MEMBER_SELECT = {
  id: true,
  userId: true,
  role: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  user: { select: { email: true, name: true, lastLoginAt: true } },
  tenant: { select: { id: true, key: true, name: true } },
} satisfies Prisma.MembershipSelect;

export type MemberRow = Prisma.MembershipGetPayload<{ select: typeof MEMBER_SELECT }>;

function orderBy(query: ListMembersQuery): Prisma.MembershipOrderByWithRelationInput[] {
  const order = query.order;
  switch (query.sort) {
    case "email":
      return [{ user: { email: order } }];
    case "name":
      return [{ user: { name: order } }, { user: { email: "asc" } }];
    case "role":
      return [{ role: order }, { user: { email: "asc" } }];
    case "createdAt":
      return [{ createdAt: order }, { id: order }];
  }
}

/** What a role change sets. */
export interface MemberData {
  role: Role;
  tenantId: string | null;
}

/**
 * Where the members service reads and writes, inside the transaction it is given. Every method
 * takes the workspace and keeps to it. Versioned writes answer null or false when
 * `expectedVersion` is no longer current.
 */
export interface MembersRepository {
  /** Narrowed by role, tenant and a search of email and name; sorted as asked. */
  list(tx: Tx, workspaceId: string, query: ListMembersQuery): Promise<{ rows: MemberRow[]; total: number }>;
  find(tx: Tx, workspaceId: string, id: string): Promise<MemberRow | null>;
  tenantByKey(tx: Tx, workspaceId: string, key: string): Promise<{ id: string; key: string } | null>;
  /**
   * Locks the workspace's owner memberships until the transaction ends and counts them, so two
   * owners demoting each other at once cannot leave the workspace without one.
   */
  lockOwners(tx: Tx, workspaceId: string): Promise<number>;
  update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: MemberData): Promise<MemberRow | null>;
  delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean>;
}

/** The members repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createMembersRepository(): MembersRepository {
  return membersRepository;
}

export const membersRepository = {
  async list(tx: Tx, workspaceId: string, query: ListMembersQuery) {
    const where: Prisma.MembershipWhereInput = {
      workspaceId,
      ...(query.role ? { role: query.role } : {}),
      ...(query.tenantKey ? { tenant: { key: query.tenantKey } } : {}),
      ...(query.search ? { user: { OR: [{ email: containing(query.search) }, { name: containing(query.search) }] } } : {}),
    };
    const rows = await tx.membership.findMany({ where, orderBy: orderBy(query), ...pageArgs(query), select: MEMBER_SELECT });
    const total = await tx.membership.count({ where });
    return { rows, total };
  },

  find(tx: Tx, workspaceId: string, id: string) {
    return tx.membership.findFirst({ where: { workspaceId, id }, select: MEMBER_SELECT });
  },

  findByUser(tx: Tx, workspaceId: string, userId: string) {
    return tx.membership.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select: MEMBER_SELECT });
  },

  tenantByKey(tx: Tx, workspaceId: string, key: string) {
    return tx.tenant.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, key: true } });
  },

  /**
   * Locks the workspace's owner memberships until the transaction ends and counts them, so two
   * owners demoting each other at once cannot leave the workspace without one.
   */
  async lockOwners(tx: Tx, workspaceId: string): Promise<number> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM memberships WHERE workspace_id = ${workspaceId}::uuid AND role = 'owner' FOR UPDATE`;
    return rows.length;
  },

  async update(tx: Tx, workspaceId: string, id: string, expectedVersion: number, data: MemberData) {
    const { count } = await tx.membership.updateMany({
      where: { workspaceId, id, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 1 ? membersRepository.find(tx, workspaceId, id) : null;
  },

  async delete(tx: Tx, workspaceId: string, id: string, expectedVersion: number): Promise<boolean> {
    const { count } = await tx.membership.deleteMany({ where: { workspaceId, id, version: expectedVersion } });
    return count === 1;
  },
};
