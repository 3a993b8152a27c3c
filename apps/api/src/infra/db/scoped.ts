import type { Prisma, PrismaClient } from "../../generated/prisma/client";

/** A Prisma client bound to one transaction. */
export type Tx = Prisma.TransactionClient;

export interface TransactionOptions {
  /** Milliseconds the transaction may run before it is rolled back. */
  timeout?: number;
  isolationLevel?: Prisma.TransactionIsolationLevel;
}

/** Confines the rest of the transaction to the workspace: the `ensign_app` role, bound by row-level security. */
export async function enterWorkspace(tx: Tx, workspaceId: string): Promise<void> {
  await tx.$queryRaw`SELECT set_config('role', 'ensign_app', true), set_config('app.workspace_id', ${workspaceId}, true)`;
}

/** Runs reads in one transaction confined to the workspace: what a service that never sees Prisma is given. */
export type Reader = <R>(workspaceId: string, fn: (tx: Tx) => Promise<R>) => Promise<R>;

export function createReader(prisma: PrismaClient): Reader {
  return (workspaceId, fn) => inWorkspace(prisma, workspaceId, fn);
}

/**
 * Runs `fn` in one transaction as the `ensign_app` role with `app.workspace_id` set, so
 * PostgreSQL's row-level security confines every statement to that workspace: a second wall
 * behind the API's own checks. Everything `fn` writes commits or rolls back together.
 */
export async function inWorkspace<R>(
  prisma: PrismaClient,
  workspaceId: string,
  fn: (tx: Tx) => Promise<R>,
  options: TransactionOptions = {},
): Promise<R> {
  return prisma.$transaction(
    async (tx) => {
      await enterWorkspace(tx, workspaceId);
      return fn(tx);
    },
    { maxWait: 5_000, timeout: options.timeout ?? 15_000, isolationLevel: options.isolationLevel },
  );
}
