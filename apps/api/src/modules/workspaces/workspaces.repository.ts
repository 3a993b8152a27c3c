import type { Prisma, PrismaClient } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";
import { nullOnUniqueViolation } from "../../infra/prisma-errors";

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

/** An environment a new workspace starts with, as the service decided it. */
export interface NewEnvironment {
  key: string;
  name: string;
  sortOrder: number;
  contextSecret: string;
  requireContextToken: boolean;
  isProduction: boolean;
}

/** An API key that still opens its environment. */
export interface ActiveApiKey {
  id: string;
  secretHash: string;
  environmentId: string;
}

/**
 * Where the workspaces service reads and writes. Writes run in the transaction they are given
 * (creating and archiving as the owner connection, renaming in the workspace); the lists and the
 * lookup by slug read as the owner connection, before any workspace is in scope. Lists hold live
 * workspaces only, sorted by name.
 */
export interface WorkspacesRepository {
  /** The workspace with its environments in their order, archived or not. */
  find(tx: Tx, workspaceId: string): Promise<WorkspaceRow | null>;
  /** Every live workspace: a superadmin's list. */
  listAll(): Promise<WorkspaceRow[]>;
  /** The live workspaces the user is a member of. */
  listForUser(userId: string): Promise<WorkspaceRow[]>;
  /** The id of the workspace with this slug, archived or not. */
  idOfSlug(slug: string): Promise<string | null>;
  /** Renames the workspace if `expectedVersion` is still current; null when it is not. */
  update(tx: Tx, workspaceId: string, expectedVersion: number, data: { name?: string }): Promise<WorkspaceRow | null>;
  /** A new workspace, without environments or members; null when the slug is taken. */
  create(tx: Tx, data: { slug: string; name: string }): Promise<{ id: string } | null>;
  createEnvironments(tx: Tx, workspaceId: string, environments: NewEnvironment[]): Promise<void>;
  addOwner(tx: Tx, workspaceId: string, userId: string): Promise<void>;
  /** Marks the workspace archived now. */
  archive(tx: Tx, workspaceId: string): Promise<void>;
  /** The workspace's API keys not yet revoked, in every environment. */
  activeApiKeys(tx: Tx, workspaceId: string): Promise<ActiveApiKey[]>;
}

/**
 * The workspaces repository over PostgreSQL (Prisma). `prisma` is the owner connection the lists
 * and the lookup by slug read through; everything else uses the transaction it is handed.
 */
export function createWorkspacesRepository(prisma: PrismaClient): WorkspacesRepository {
  const find = (tx: Tx, workspaceId: string) => tx.workspace.findUnique({ where: { id: workspaceId }, select: WORKSPACE_SELECT });
  return {
    find,

    listAll() {
      return prisma.workspace.findMany({ where: { archivedAt: null }, orderBy: { name: "asc" }, select: WORKSPACE_SELECT });
    },

    listForUser(userId) {
      return prisma.workspace.findMany({
        where: { archivedAt: null, memberships: { some: { userId } } },
        orderBy: { name: "asc" },
        select: WORKSPACE_SELECT,
      });
    },

    async idOfSlug(slug) {
      const row = await prisma.workspace.findUnique({ where: { slug }, select: { id: true } });
      return row?.id ?? null;
    },

    async update(tx, workspaceId, expectedVersion, data) {
      const { count } = await tx.workspace.updateMany({
        where: { id: workspaceId, version: expectedVersion },
        data: { ...data, version: { increment: 1 } },
      });
      return count === 1 ? find(tx, workspaceId) : null;
    },

    create: (tx, data) => nullOnUniqueViolation(() => tx.workspace.create({ data, select: { id: true } })),

    async createEnvironments(tx, workspaceId, environments) {
      await tx.environment.createMany({ data: environments.map((env) => ({ ...env, workspaceId })) });
    },

    async addOwner(tx, workspaceId, userId) {
      await tx.membership.create({ data: { workspaceId, userId, role: "owner" } });
    },

    async archive(tx, workspaceId) {
      await tx.workspace.update({ where: { id: workspaceId }, data: { archivedAt: new Date(), version: { increment: 1 } } });
    },

    activeApiKeys(tx, workspaceId) {
      return tx.apiKey.findMany({ where: { workspaceId, revokedAt: null }, select: { id: true, secretHash: true, environmentId: true } });
    },
  };
}
