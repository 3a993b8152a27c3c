import type { Tx } from "../../infra/db/scoped";

/** An environment of the workspace with its snapshot version. */
export interface EnvironmentVersion {
  id: string;
  key: string;
  snapshotVersion: number;
}

/** What the evaluation service reads from PostgreSQL: the admin's environments by key, inside the workspace. */
export interface EvaluationRepository {
  /** The id of the workspace's environment with this key. */
  environmentId(tx: Tx, workspaceId: string, key: string): Promise<string | null>;
  /** The workspace's environments in their order. */
  environments(tx: Tx, workspaceId: string): Promise<EnvironmentVersion[]>;
}

/** The evaluation repository over PostgreSQL (Prisma), bound by row-level security through the transaction. */
export function createEvaluationRepository(): EvaluationRepository {
  return {
    async environmentId(tx, workspaceId, key) {
      const row = await tx.environment.findFirst({ where: { workspaceId, key }, select: { id: true } });
      return row?.id ?? null;
    },

    environments(tx, workspaceId) {
      return tx.environment.findMany({ where: { workspaceId }, select: { id: true, key: true, snapshotVersion: true }, orderBy: { sortOrder: "asc" } });
    },
  };
}
