import type { PrismaClient } from "../../generated/prisma/client";
import { tenantAdminRepository, type MembershipRow } from "./tenant-admin.repository";

/** Where the tenant admin's access is decided from. */
export interface TenantAdminAccessRepository {
  /** The user's tenant-admin memberships in live workspaces, oldest first. */
  memberships(userId: string): Promise<MembershipRow[]>;
}

/**
 * Over PostgreSQL (Prisma), as the owner connection: the memberships are read before any
 * workspace is in scope, to find it.
 */
export function createTenantAdminAccessRepository(prisma: PrismaClient): TenantAdminAccessRepository {
  return {
    memberships: (userId) => tenantAdminRepository.memberships(prisma, userId),
  };
}
