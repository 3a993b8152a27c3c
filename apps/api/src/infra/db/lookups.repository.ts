import type { Tx } from "./scoped";

/** Lookups by key that tenants, overrides and the tenant admin API share; workspaceId is in every where. */
export const lookupsRepository = {
  findEnvironment(tx: Tx, workspaceId: string, key: string) {
    return tx.environment.findUnique({
      where: { workspaceId_key: { workspaceId, key } },
      select: { id: true, key: true, snapshotVersion: true },
    });
  },

  /** `production` when the workspace has one, else its first environment. */
  async defaultEnvironment(tx: Tx, workspaceId: string) {
    return (
      (await this.findEnvironment(tx, workspaceId, "production")) ??
      tx.environment.findFirst({
        where: { workspaceId },
        orderBy: [{ sortOrder: "asc" }, { createdAt: "asc" }],
        select: { id: true, key: true, snapshotVersion: true },
      })
    );
  },

  /**
   * The flag, share-locked until the transaction ends: an override written against its
   * variants cannot interleave with an edit that removes one of them.
   */
  async findFlagForWrite(tx: Tx, workspaceId: string, key: string) {
    await tx.$queryRaw`SELECT id FROM flags WHERE workspace_id = ${workspaceId}::uuid AND key = ${key} FOR SHARE`;
    return this.findFlag(tx, workspaceId, key);
  },

  findFlag(tx: Tx, workspaceId: string, key: string) {
    return tx.flag.findUnique({
      where: { workspaceId_key: { workspaceId, key } },
      select: {
        id: true,
        key: true,
        name: true,
        type: true,
        variants: true,
        offVariant: true,
        onVariant: true,
        dependsOn: true,
        deprecatedAt: true,
        archivedAt: true,
        module: { select: { key: true } },
      },
    });
  },

  /** Keys among `keys` that are live (not archived) flags of the workspace. */
  async liveFlagKeys(tx: Tx, workspaceId: string, keys: readonly string[]): Promise<Set<string>> {
    const rows = await tx.flag.findMany({ where: { workspaceId, archivedAt: null, key: { in: [...keys] } }, select: { key: true } });
    return new Set(rows.map((row) => row.key));
  },

  findModule(tx: Tx, workspaceId: string, key: string) {
    return tx.module.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, key: true, name: true } });
  },

  modules(tx: Tx, workspaceId: string) {
    return tx.module.findMany({ where: { workspaceId }, orderBy: { key: "asc" }, select: { id: true, key: true, name: true } });
  },
};

export type FlagRow = NonNullable<Awaited<ReturnType<typeof lookupsRepository.findFlag>>>;
export type EnvironmentRow = NonNullable<Awaited<ReturnType<typeof lookupsRepository.findEnvironment>>>;
