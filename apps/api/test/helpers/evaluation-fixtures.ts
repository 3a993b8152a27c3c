import type { FastifyInstance } from "fastify";
import { bumpEnvironments } from "../../src/infra/changes";
import type { Database } from "../../src/infra/db/database";
import { inWorkspace } from "../../src/infra/db/scoped";
import { generateApiKey } from "../../src/modules/auth/secrets";

export { BOOLEAN_VARIANTS, createFlag, createTenant, type FlagSpec } from "./rows";

export async function createApiKey(db: Database, workspaceId: string, environmentId: string, kind: "server" | "client") {
  const { secret, prefix, hash } = generateApiKey(kind);
  const row = await db.prisma.apiKey.create({ data: { workspaceId, environmentId, kind, name: `${kind} key`, prefix, secretHash: hash } });
  return { secret, id: row.id, hash };
}

/** What every admin write does after its change: bump the versions in a transaction, then publish. */
export async function publishChange(app: FastifyInstance, db: Database, workspaceId: string, environmentIds?: string[]) {
  const changes = await inWorkspace(db.prisma, workspaceId, (tx) => bumpEnvironments(tx, workspaceId, environmentIds));
  await app.services.notifier.published(changes);
  return changes;
}

/** When the last `toggleFlag` committed (performance.now()), for latency measurements. */
export let lastCommitAt = 0;

/** Sets a flag's `enabled` in one environment and publishes the change, as the flags routes do. */
export async function toggleFlag(app: FastifyInstance, db: Database, workspaceId: string, environmentId: string, flagKey: string, enabled: boolean) {
  const changes = await inWorkspace(db.prisma, workspaceId, async (tx) => {
    const flag = await tx.flag.findFirstOrThrow({ where: { workspaceId, key: flagKey } });
    await tx.flagState.update({ where: { flagId_environmentId: { flagId: flag.id, environmentId } }, data: { enabled, version: { increment: 1 } } });
    return bumpEnvironments(tx, workspaceId, [environmentId]);
  });
  lastCommitAt = performance.now();
  await app.services.notifier.published(changes);
  return changes[0]!.version;
}

export const apiKeyHeaders = (secret: string) => ({ "x-api-key": secret });
