import type { Prisma, PrismaClient } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

const WORKSPACE_SELECT = {
  id: true,
  slug: true,
  name: true,
  version: true,
  archivedAt: true,
  createdAt: true,
  updatedAt: true,
  environments: {
    orderBy: [{ sortOrder: "asc" }, { createdAt: "asc" }],
    select: {
      id: true,
      key: true,
      name: true,
      color: true,
      sortOrder: true,
      requireContextToken: true,
      isProduction: true,
      exposedHeaders: true,
      masterSwitchOn: true,
      masterSwitchReason: true,
      masterSwitchChangedAt: true,
      masterSwitchChangedBy: true,
      snapshotVersion: true,
      version: true,
    },
  },
} satisfies Prisma.WorkspaceSelect;

export type WorkspaceRow = Prisma.WorkspaceGetPayload<{ select: typeof WORKSPACE_SELECT }>;

export const workspacesRepository = {
  find(tx: Tx, workspaceId: string) {
    return tx.workspace.findUnique({ where: { id: workspaceId }, select: WORKSPACE_SELECT });
  },

  /** Every live workspace: a superadmin's list, read as the owner connection. */
  listAll(prisma: PrismaClient) {
    return prisma.workspace.findMany({ where: { archivedAt: null }, orderBy: { name: "asc" }, select: WORKSPACE_SELECT });
  },

  listForUser(prisma: PrismaClient, userId: string) {
    return prisma.workspace.findMany({
      where: { archivedAt: null, memberships: { some: { userId } } },
      orderBy: { name: "asc" },
      select: WORKSPACE_SELECT,
    });
  },

  /** Updates only if `expectedVersion` is still current; returns undefined when it is not. */
  async update(tx: Tx, workspaceId: string, expectedVersion: number, data: { name?: string }) {
    const { count } = await tx.workspace.updateMany({
      where: { id: workspaceId, version: expectedVersion },
      data: { ...data, version: { increment: 1 } },
    });
    return count === 1 ? this.find(tx, workspaceId) : undefined;
  },

  create(tx: Tx, data: { slug: string; name: string }) {
    return tx.workspace.create({ data, select: { id: true } });
  },

  archive(tx: Tx, workspaceId: string) {
    return tx.workspace.update({ where: { id: workspaceId }, data: { archivedAt: new Date(), version: { increment: 1 } } });
  },

  activeApiKeys(tx: Tx, workspaceId: string) {
    return tx.apiKey.findMany({ where: { workspaceId, revokedAt: null }, select: { id: true, secretHash: true, environmentId: true } });
  },
};
