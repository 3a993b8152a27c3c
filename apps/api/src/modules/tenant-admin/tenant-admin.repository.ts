import type { PrismaClient } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

export const tenantAdminRepository = {
  /**
   * The caller's tenant-admin memberships in live workspaces: read before any workspace is in
   * scope (to find it), so this runs as the owner connection, like the auth repository.
   */
  memberships(prisma: PrismaClient, userId: string) {
    return prisma.membership.findMany({
      where: { userId, role: "tenant_admin", workspace: { archivedAt: null } },
      orderBy: { createdAt: "asc" },
      select: { tenantId: true, workspace: { select: { id: true, slug: true, name: true } } },
    });
  },

  findTenant(tx: Tx, workspaceId: string, tenantId: string) {
    return tx.tenant.findFirst({
      where: { workspaceId, id: tenantId },
      select: { id: true, key: true, name: true, modules: { where: { enabled: false }, select: { module: { select: { key: true } } } } },
    });
  },

  /** Every live flag with what the tenant admin's view shows of it and its state in the environment. */
  features(tx: Tx, workspaceId: string, environmentId: string) {
    return tx.flag.findMany({
      where: { workspaceId, archivedAt: null },
      orderBy: [{ name: "asc" }, { key: "asc" }],
      select: {
        id: true,
        key: true,
        name: true,
        description: true,
        type: true,
        offVariant: true,
        onVariant: true,
        isBeta: true,
        tenantManageable: true,
        feedbackUrl: true,
        dependsOn: true,
        deprecatedAt: true,
        module: { select: { key: true, name: true, tenantManageable: true } },
        states: { where: { environmentId }, select: { enabled: true, tenantAllow: true, tenantDeny: true } },
      },
    });
  },

  findModule(tx: Tx, workspaceId: string, key: string) {
    return tx.module.findUnique({ where: { workspaceId_key: { workspaceId, key } }, select: { id: true, key: true, name: true, tenantManageable: true } });
  },

  overridesOf(tx: Tx, workspaceId: string, tenantId: string, environmentId: string) {
    return tx.tenantOverride.findMany({
      where: { workspaceId, tenantId, environmentId },
      select: { id: true, flagId: true, variant: true, source: true, locked: true, expiresAt: true, version: true },
    });
  },
};

export type FeatureRow = Awaited<ReturnType<typeof tenantAdminRepository.features>>[number];
export type TenantOverrideRow = Awaited<ReturnType<typeof tenantAdminRepository.overridesOf>>[number];
/** A tenant with the modules switched off for it. */
export type TenantRow = NonNullable<Awaited<ReturnType<typeof tenantAdminRepository.findTenant>>>;
export type ModuleRow = NonNullable<Awaited<ReturnType<typeof tenantAdminRepository.findModule>>>;
export type MembershipRow = Awaited<ReturnType<typeof tenantAdminRepository.memberships>>[number];
