import type { Prisma, PrismaClient, Role } from "../../generated/prisma/client";
import { lookupsRepository } from "../../infra/db/lookups.repository";
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

    /** Records a use, unless one was recorded after `staleBefore`: one write a minute at most, whichever replica wins. */
    async touchPersonal(id: string, at: Date, staleBefore: Date): Promise<void> {
      await prisma.personalToken.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: staleBefore } }] }, data: { lastUsedAt: at } });
    },

    async touchService(id: string, at: Date, staleBefore: Date): Promise<void> {
      await prisma.serviceToken.updateMany({ where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: staleBefore } }] }, data: { lastUsedAt: at } });
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

  create(tx: Tx, workspaceId: string, data: NewServiceToken) {
    return tx.serviceToken.create({ data: { ...data, workspaceId }, select: SERVICE_TOKEN_SELECT });
  },

  async revoke(tx: Tx, workspaceId: string, id: string, at: Date): Promise<boolean> {
    const { count } = await tx.serviceToken.updateMany({ where: { workspaceId, id, revokedAt: null }, data: { revokedAt: at } });
    return count === 1;
  },
};

/** A new service token's columns: only the secret's hash is stored. */
export interface NewServiceToken {
  environmentId: string | null;
  name: string;
  prefix: string;
  secretHash: string;
  role: Role;
  createdBy: string | null;
  expiresAt: Date;
}

/** A service token as a bearer secret finds it, with its workspace and environment. */
export type ServiceTokenCredential = NonNullable<Awaited<ReturnType<AccessTokensRepository["findServiceByHash"]>>>;

/**
 * Where the service tokens service reads and writes. Methods that take a transaction work in
 * it and keep to the workspace they are given; `findByHash` and `touch` work as the owner
 * connection, as a bearer secret is checked before any workspace is in scope.
 */
export interface ServiceTokensRepository {
  /** Newest first. */
  list(tx: Tx, workspaceId: string): Promise<ServiceTokenRow[]>;
  find(tx: Tx, workspaceId: string, id: string): Promise<ServiceTokenRow | null>;
  create(tx: Tx, workspaceId: string, data: NewServiceToken): Promise<ServiceTokenRow>;
  /** Sets `revokedAt` once; false when the token was already revoked. */
  revoke(tx: Tx, workspaceId: string, id: string, at: Date): Promise<boolean>;
  findEnvironment(tx: Tx, workspaceId: string, key: string): Promise<{ id: string; key: string } | null>;
  findByHash(secretHash: string): Promise<ServiceTokenCredential | null>;
  /** Records a use, unless one was recorded after `staleBefore`. */
  touch(id: string, at: Date, staleBefore: Date): Promise<void>;
}

/** The service tokens repository over PostgreSQL (Prisma); `prisma` is the owner connection bearer secrets are checked through. */
export function createServiceTokensRepository(prisma: PrismaClient): ServiceTokensRepository {
  const repo = serviceTokensRepository;
  const owner = createAccessTokensRepository(prisma);
  return {
    list: (tx, workspaceId) => repo.list(tx, workspaceId),
    find: (tx, workspaceId, id) => repo.find(tx, workspaceId, id),
    create: (tx, workspaceId, data) => repo.create(tx, workspaceId, data),
    revoke: (tx, workspaceId, id, at) => repo.revoke(tx, workspaceId, id, at),
    async findEnvironment(tx, workspaceId, key) {
      const found = await lookupsRepository.findEnvironment(tx, workspaceId, key);
      return found ? { id: found.id, key: found.key } : null;
    },
    findByHash: (secretHash) => owner.findServiceByHash(secretHash),
    touch: (id, at, staleBefore) => owner.touchService(id, at, staleBefore),
  };
}
