import type { Tx } from "../../infra/db/scoped";

/** Reads everything a workspace export holds, ids resolved to keys, in key order (the same content exports the same); never secrets. */
export const exportRepository = {
  workspace(tx: Tx, workspaceId: string) {
    return tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true, name: true } });
  },

  environments(tx: Tx, workspaceId: string) {
    return tx.environment.findMany({
      where: { workspaceId },
      orderBy: [{ sortOrder: "asc" }, { key: "asc" }],
      select: { key: true, name: true, color: true, sortOrder: true, contextIssuer: true, contextJwksUrl: true, requireContextToken: true, isProduction: true, exposedHeaders: true },
    });
  },

  modules(tx: Tx, workspaceId: string) {
    return tx.module.findMany({ where: { workspaceId }, orderBy: { key: "asc" }, select: { key: true, name: true, description: true, keyPrefix: true, tenantManageable: true } });
  },

  flags(tx: Tx, workspaceId: string) {
    return tx.flag.findMany({
      where: { workspaceId },
      orderBy: { key: "asc" },
      select: {
        key: true,
        name: true,
        description: true,
        module: { select: { key: true } },
        type: true,
        variants: true,
        offVariant: true,
        onVariant: true,
        salt: true,
        tags: true,
        isBeta: true,
        tenantManageable: true,
        trackAnalytics: true,
        feedbackUrl: true,
        dependsOn: true,
        lifecycle: true,
        owner: true,
        deprecatedAt: true,
        archivedAt: true,
        states: {
          select: {
            enabled: true,
            fallthrough: true,
            tenantAllow: true,
            tenantDeny: true,
            environment: { select: { key: true } },
            rules: { orderBy: { position: "asc" }, select: { name: true, conditions: true, serve: true } },
          },
        },
      },
    });
  },

  pendingSchedules(tx: Tx, workspaceId: string) {
    return tx.schedule.findMany({
      where: { workspaceId, status: "pending" },
      orderBy: [{ runAt: "asc" }, { id: "asc" }],
      select: { runAt: true, action: true, rampId: true, createdBy: true, flag: { select: { key: true } }, environment: { select: { key: true } } },
    });
  },

  segments(tx: Tx, workspaceId: string) {
    return tx.segment.findMany({
      where: { workspaceId },
      orderBy: { key: "asc" },
      select: { key: true, name: true, description: true, includedUsers: true, excludedUsers: true, includedTenants: true, excludedTenants: true, rules: true },
    });
  },

  tenants(tx: Tx, workspaceId: string) {
    return tx.tenant.findMany({
      where: { workspaceId },
      orderBy: { key: "asc" },
      select: { key: true, name: true, attributes: true, modules: { select: { enabled: true, module: { select: { key: true } } } } },
    });
  },

  tenantOverrides(tx: Tx, workspaceId: string) {
    return tx.tenantOverride.findMany({
      where: { workspaceId },
      orderBy: [{ flag: { key: "asc" } }, { environment: { key: "asc" } }, { tenant: { key: "asc" } }],
      select: {
        variant: true,
        source: true,
        locked: true,
        expiresAt: true,
        updatedBy: true,
        flag: { select: { key: true } },
        environment: { select: { key: true } },
        tenant: { select: { key: true } },
      },
    });
  },

  userOverrides(tx: Tx, workspaceId: string) {
    return tx.userOverride.findMany({
      where: { workspaceId },
      orderBy: [{ flag: { key: "asc" } }, { environment: { key: "asc" } }, { userKey: "asc" }],
      select: { userKey: true, variant: true, expiresAt: true, updatedBy: true, flag: { select: { key: true } }, environment: { select: { key: true } } },
    });
  },

  identities(tx: Tx, workspaceId: string) {
    return tx.identity.findMany({
      where: { workspaceId },
      orderBy: [{ environment: { key: "asc" } }, { key: "asc" }],
      select: { key: true, traits: true, environment: { select: { key: true } } },
    });
  },

  /** In the order they were made, which the default override order follows. */
  overrideLayers(tx: Tx, workspaceId: string) {
    return tx.overrideLayer.findMany({
      where: { workspaceId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      select: { key: true, name: true, description: true, attribute: true, values: true },
    });
  },

  async overrideOrder(tx: Tx, workspaceId: string) {
    return (await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { overrideOrder: true } })).overrideOrder;
  },

  layerOverrides(tx: Tx, workspaceId: string) {
    return tx.layerOverride.findMany({
      where: { workspaceId },
      orderBy: [{ flag: { key: "asc" } }, { environment: { key: "asc" } }, { layer: { key: "asc" } }, { value: "asc" }],
      select: {
        value: true,
        variant: true,
        locked: true,
        expiresAt: true,
        updatedBy: true,
        flag: { select: { key: true } },
        environment: { select: { key: true } },
        layer: { select: { key: true } },
      },
    });
  },

  /** What must be absent for an `empty-only` import. */
  async contentCounts(tx: Tx, workspaceId: string) {
    const where = { workspaceId };
    return {
      flags: await tx.flag.count({ where }),
      tenants: await tx.tenant.count({ where }),
      modules: await tx.module.count({ where }),
      segments: await tx.segment.count({ where }),
      identities: await tx.identity.count({ where }),
      overrideLayers: await tx.overrideLayer.count({ where }),
    };
  },
};
