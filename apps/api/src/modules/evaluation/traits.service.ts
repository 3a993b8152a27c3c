import type { TraitsResponse } from "@ensign/contracts/portal";
import type { JsonValue } from "@ensign/contracts/targeting";
import type { PrismaClient } from "../../generated/prisma/client";
import { recordAudit, type Actor } from "../../infra/audit";
import { bumpEnvironments, type ChangeNotifier } from "../../infra/changes";
import { inWorkspace } from "../../infra/db/scoped";
import { invalid, notFound } from "../../infra/errors";
import type { VerifiedKey } from "./api-keys";
import { contextIssue } from "./context-limits";
import { traitsRepository as repo } from "./traits.repository";

/**
 * Identity traits written by a customer's backend with a server key: the identity's stored
 * traits are replaced, audited as the API key, and the environment's snapshot moves on — in
 * one transaction; every replica then learns of it like any other change.
 */
export function createTraitsService({ prisma, notifier }: { prisma: PrismaClient; notifier: ChangeNotifier }) {
  return {
    async replace(key: VerifiedKey, identityKey: string, traits: Record<string, JsonValue>, actor: Actor): Promise<TraitsResponse> {
      const issue = contextIssue(traits);
      if (issue) throw invalid(`The traits are not valid: ${issue}.`, [{ path: "body.traits", message: issue }]);
      const { workspaceId, environmentId } = key;
      const { saved, changes, isUnchanged } = await inWorkspace(prisma, workspaceId, async (tx) => {
        const environmentKey = await repo.environmentKey(tx, workspaceId, environmentId);
        if (!environmentKey) throw notFound("The environment");
        const before = await repo.find(tx, workspaceId, environmentId, identityKey);
        if (before && JSON.stringify(before.traits) === JSON.stringify(traits)) {
          // Nothing changes: no audit entry, no snapshot churn for a backend that repeats itself.
          return { saved: before, changes: [], isUnchanged: true };
        }
        const saved = await repo.upsert(tx, workspaceId, environmentId, identityKey, traits);
        await recordAudit(tx, actor, {
          workspaceId,
          environment: { id: environmentId, key: environmentKey },
          action: before ? "identity.traits_replaced" : "identity.created",
          targetType: "identity",
          targetKey: identityKey,
          before: before ? { traits: before.traits } : undefined,
          after: { traits },
        });
        return { saved, changes: await bumpEnvironments(tx, workspaceId, [environmentId]), isUnchanged: false };
      });
      // The change names the identity, so replicas patch their snapshot instead of reloading it.
      if (!isUnchanged) await notifier.published(changes.map((change) => ({ ...change, identity: { key: identityKey, traits } })));
      return {
        key: saved.key,
        traits: saved.traits as Record<string, JsonValue>,
        version: saved.version,
        updatedAt: saved.updatedAt.toISOString(),
      };
    },
  };
}

export type TraitsService = ReturnType<typeof createTraitsService>;
