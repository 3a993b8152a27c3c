import type { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

export const traitsRepository = {
  async find(tx: Tx, workspaceId: string, environmentId: string, key: string) {
    return tx.identity.findFirst({ where: { workspaceId, environmentId, key }, select: { key: true, traits: true, version: true, updatedAt: true } });
  },

  async upsert(tx: Tx, workspaceId: string, environmentId: string, key: string, traits: Prisma.InputJsonValue) {
    return tx.identity.upsert({
      where: { environmentId_key: { environmentId, key } },
      create: { workspaceId, environmentId, key, traits },
      update: { traits, version: { increment: 1 } },
      select: { key: true, traits: true, version: true, updatedAt: true },
    });
  },

  async environmentKey(tx: Tx, workspaceId: string, environmentId: string) {
    return (await tx.environment.findFirst({ where: { workspaceId, id: environmentId }, select: { key: true } }))?.key;
  },
};
