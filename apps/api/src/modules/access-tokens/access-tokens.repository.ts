import type { Prisma, PrismaClient, Role } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

/** Never the hash: lists and answers cannot leak what they do not read. */
const PERSONAL_TOKEN_SELECT = {
  id: true,
  name: true,
  prefix: true,
  maxRole: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
} satisfies Prisma.PersonalTokenSelect;

const SERVICE_TOKEN_SELECT = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  createdBy: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  environment: { select: { key: true } },
} satisfies Prisma.ServiceTokenSelect;

export type PersonalTokenRow = Prisma.PersonalTokenGetPayload<{ select: typeof PERSONAL_TOKEN_SELECT }>;
export type ServiceTokenRow = Prisma.ServiceTokenGetPayload<{ select: typeof SERVICE_TOKEN_SELECT }>;

/**
 * Personal tokens belong to users, like sessions: platform-level, on the owner connection.
 * Looking a token up by its hash happens before any workspace is in scope, so it does too.
 */
export function createAccessTokensRepository(prisma: PrismaClient) {
  return {
    listPersonal(userId: string) {
      return prisma.personalToken.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: PERSONAL_TOKEN_SELECT });
    },

    createPersonal(data: { userId: string; name: string; prefix: string; secretHash: string; maxRole: Role | null; expiresAt: Date }) {
      return prisma.personalToken.create({ data, select: PERSONAL_TOKEN_SELECT });
    },

    findPersonal(userId: string, id: string) {
      return prisma.personalToken.findFirst({ where: { userId, id }, select: PERSONAL_TOKEN_SELECT });
    },

    /** Sets `revokedAt` once; a second revocation changes nothing. */
    async revokePersonal(userId: string, id: string, at: Date): Promise<boolean> {
      const { count } = await prisma.personalToken.updateMany({ where: { userId, id, revokedAt: null }, data: { revokedAt: at } });
      return count === 1;
    },

    /** The token and its user, for checking a bearer token on every request. */
    findPersonalByHash(secretHash: string) {
      return prisma.personalToken.findUnique({
        where: { secretHash },
        select: {
          id: true,
          name: true,
          maxRole: true,
          expiresAt: true,
          revokedAt: true,
          lastUsedAt: true,
          user: { select: { id: true, email: true, name: true, isSuperadmin: true, disabledAt: true } },
        },
      });
    },

    findServiceByHash(secretHash: string) {
      return prisma.serviceToken.findUnique({
        where: { secretHash },
        select: {
          id: true,
          name: true,
          role: true,
          expiresAt: true,
          revokedAt: true,
          lastUsedAt: true,
          workspaceId: true,
          environmentId: true,
          environment: { select: { key: true } },
          workspace: { select: { archivedAt: true } },
        },
      });
    },

    /** Records a use, unless one was recorded since `staleBefore`: one write a minute at most, whichever replica wins. */
    async touchPersonal(id: string, at: Date, staleBefore: Date): Promise<void> {
      await prisma.personalToken.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] }, data: { lastUsedAt: at } });
    },

    async touchService(id: string, at: Date, staleBefore: Date): Promise<void> {
      await prisma.serviceToken.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] }, data: { lastUsedAt: at } });
    },
  };
}

export type AccessTokensRepository = ReturnType<typeof createAccessTokensRepository>;

/** Service tokens in a workspace's transaction (row-level security applies). */
export const serviceTokensRepository = {
  list(tx: Tx, workspaceId: string) {
    return tx.serviceToken.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: SERVICE_TOKEN_SELECT });
  },

  find(tx: Tx, workspaceId: string, id: string) {
    return tx.serviceToken.findFirst({ where: { workspaceId, id }, select: SERVICE_TOKEN_SELECT });
  },

  create(
    tx: Tx,
    workspaceId: string,
    data: { environmentId: string | null; name: string; prefix: string; secretHash: string; role: Role; createdBy: string | null; expiresAt: Date },
  ) {
    return tx.serviceToken.create({ data: { ...data, workspaceId }, select: SERVICE_TOKEN_SELECT });
  },

  async revoke(tx: Tx, workspaceId: string, id: string, at: Date): Promise<boolean> {
    const { count } = await tx.serviceToken.updateMany({ where: { workspaceId, id, revokedAt: null }, data: { revokedAt: at } });
    return count === 1;
  },
};
