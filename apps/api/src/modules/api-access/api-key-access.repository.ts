import type { PrismaClient } from "../../generated/prisma/client";

/** API key lookups by hash: system work before any workspace is known, so on the owner connection. */
export const apiKeyAccessRepository = {
  /** An unrevoked key of a workspace that is not archived. */
  async findActiveByHash(prisma: PrismaClient, hash: string) {
    return prisma.apiKey.findFirst({
      where: { secretHash: hash, revokedAt: null, workspace: { archivedAt: null } },
      select: { id: true, workspaceId: true, environmentId: true, kind: true },
    });
  },

  /** Which of these hashes still belong to unrevoked keys of workspaces that are not archived. */
  async activeHashes(prisma: PrismaClient, hashes: string[]): Promise<Set<string>> {
    if (hashes.length === 0) return new Set();
    const rows = await prisma.apiKey.findMany({ where: { secretHash: { in: hashes }, revokedAt: null, workspace: { archivedAt: null } }, select: { secretHash: true } });
    return new Set(rows.map((row) => row.secretHash));
  },

  async touch(prisma: PrismaClient, ids: string[], at: Date): Promise<void> {
    if (ids.length) await prisma.apiKey.updateMany({ where: { id: { in: ids } }, data: { lastUsedAt: at } });
  },
};
