import { Prisma } from "../../generated/prisma/client";
import type { Tx } from "../../infra/db/scoped";

/*
 * The tenant-keyed parts of a snapshot: tenants, their switched-off modules, their overrides,
 * and user overrides and identities whose key is a tenant key (a tenant's context uses its key
 * as targetingKey). A list page asks for up to every tenant of the workspace, so the keys go
 * to PostgreSQL as one array (`= ANY($1)`) rather than one parameter per key.
 */

export interface TenantRow {
  id: string;
  key: string;
  attributes: unknown;
}

const anyFlag = (flagIds: string[] | undefined, column: Prisma.Sql) =>
  flagIds ? Prisma.sql`AND ${column} = ANY(${flagIds}::uuid[])` : Prisma.empty;

export const snapshotTenantsRepository = {
  tenants(tx: Tx, workspaceId: string, keys: string[]) {
    return tx.$queryRaw<TenantRow[]>`
      SELECT id, key, attributes FROM tenants
      WHERE workspace_id = ${workspaceId}::uuid AND key = ANY(${keys}::text[])`;
  },

  disabledModules(tx: Tx, workspaceId: string, tenantIds: string[]) {
    return tx.$queryRaw<{ tenant_id: string; module_key: string }[]>`
      SELECT tm.tenant_id, m.key AS module_key FROM tenant_modules tm JOIN modules m ON m.id = tm.module_id
      WHERE tm.workspace_id = ${workspaceId}::uuid AND tm.enabled = false AND tm.tenant_id = ANY(${tenantIds}::uuid[])`;
  },

  tenantOverrides(tx: Tx, workspaceId: string, environmentId: string, tenantIds: string[], flagIds?: string[]) {
    return tx.$queryRaw<{ flag_id: string; tenant_id: string; variant: string; locked: boolean; expires_at: Date | null }[]>`
      SELECT flag_id, tenant_id, variant, locked, expires_at FROM tenant_overrides
      WHERE workspace_id = ${workspaceId}::uuid AND environment_id = ${environmentId}::uuid
        AND tenant_id = ANY(${tenantIds}::uuid[]) ${anyFlag(flagIds, Prisma.sql`flag_id`)}`;
  },

  userOverrides(tx: Tx, workspaceId: string, environmentId: string, userKeys: string[], flagIds?: string[]) {
    return tx.$queryRaw<{ flag_id: string; user_key: string; variant: string; expires_at: Date | null }[]>`
      SELECT flag_id, user_key, variant, expires_at FROM user_overrides
      WHERE workspace_id = ${workspaceId}::uuid AND environment_id = ${environmentId}::uuid
        AND user_key = ANY(${userKeys}::text[]) ${anyFlag(flagIds, Prisma.sql`flag_id`)}`;
  },

  identities(tx: Tx, workspaceId: string, environmentId: string, keys: string[]) {
    return tx.$queryRaw<{ key: string; traits: unknown }[]>`
      SELECT key, traits FROM identities
      WHERE workspace_id = ${workspaceId}::uuid AND environment_id = ${environmentId}::uuid AND key = ANY(${keys}::text[])`;
  },
};
