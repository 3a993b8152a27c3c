import type { PrismaClient } from "../generated/prisma/client";
import type { ChangeNotifier, EnvironmentChange } from "./changes";
import { inWorkspace, type TransactionOptions, type Tx } from "./db/scoped";

/**
 * Runs a write in the workspace's transaction; `fn` pushes the environments it bumped (with
 * `bumpEnvironments`, inside the transaction) and they are announced once the write commits.
 */
export function createWriter({ prisma, notifier }: { prisma: PrismaClient; notifier: ChangeNotifier }) {
  return async function writing<R>(
    workspaceId: string,
    fn: (tx: Tx, bumped: EnvironmentChange[]) => Promise<R>,
    options?: TransactionOptions,
  ): Promise<R> {
    const bumped: EnvironmentChange[] = [];
    const result = await inWorkspace(prisma, workspaceId, (tx) => fn(tx, bumped), options);
    await notifier.published(bumped);
    return result;
  };
}

export type Writer = ReturnType<typeof createWriter>;
