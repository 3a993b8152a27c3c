import { z } from "zod";
import { Description, Key, Name } from "./common";
import { TenantScopeQuery } from "./tenant-admin";
import { WorkspaceSlug } from "./workspaces";

/**
 * End-user roles: the roles of the people who use the product behind the flags (employee,
 * manager, admin), not of the staff who manage flags. A role inherits other roles, so the
 * `role_at_least` operator matches a role and every role above it.
 */
export const DEFAULT_ROLES = [
  { key: "employee", name: "Employee", inherits: [] },
  { key: "manager", name: "Manager", inherits: ["employee"] },
  { key: "admin", name: "Admin", inherits: ["manager"] },
] as const;

/** How many roles one role may inherit directly, and how many a workspace or tenant may define. */
export const ROLE_LIMITS = { inherits: 16, rolesPerScope: 200 } as const;

const RoleKeys = z.array(Key).max(ROLE_LIMITS.inherits);

export const RoleParams = z.object({ workspace: WorkspaceSlug, role: Key });
export type RoleParams = z.infer<typeof RoleParams>;

export const TenantRolesParams = z.object({ workspace: WorkspaceSlug, tenant: Key });
export type TenantRolesParams = z.infer<typeof TenantRolesParams>;

export const TenantRoleParams = TenantRolesParams.extend({ role: Key });
export type TenantRoleParams = z.infer<typeof TenantRoleParams>;

/** A tenant admin's own tenant's role. */
export const OwnTenantRoleParams = z.object({ role: Key });
export type OwnTenantRoleParams = z.infer<typeof OwnTenantRoleParams>;

export const RoleResponse = z.object({
  id: z.string(),
  key: Key,
  name: z.string(),
  description: z.string(),
  /** The roles this one has too: a `manager` inheriting `employee` is at least an employee. */
  inherits: z.array(Key),
  /** Tenant roles only: roles above this one that inherit it for this tenant (placing it between two levels). */
  inheritedBy: z.array(Key),
  /** The tenant that defined the role; `null` for a workspace role. */
  tenantKey: Key.nullable(),
  /** The length of the longest inheritance chain below the role: 0 for a base role. */
  level: z.number().int(),
  /** How many flags have a rule (in any environment) or segment naming the role in `role_at_least`. */
  usedByFlags: z.number().int(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RoleResponse = z.infer<typeof RoleResponse>;

/** The hierarchy in effect, lowest level first: the workspace's roles, and a tenant's own with them. */
export const RoleListResponse = z.object({ items: z.array(RoleResponse) });
export type RoleListResponse = z.infer<typeof RoleListResponse>;

export const CreateRoleBody = z
  .object({
    key: Key,
    name: Name,
    description: Description.optional(),
    inherits: RoleKeys.default([]),
    /** Tenant roles only. */
    inheritedBy: RoleKeys.optional(),
  })
  .strict();
export type CreateRoleBody = z.infer<typeof CreateRoleBody>;

/** Missing fields stay; lists are replaced whole; `description: null` clears it. The key never changes: rules name it. */
export const UpdateRoleBody = z
  .object({
    name: Name.optional(),
    description: Description.nullable().optional(),
    inherits: RoleKeys.optional(),
    /** Tenant roles only. */
    inheritedBy: RoleKeys.optional(),
  })
  .strict();
export type UpdateRoleBody = z.infer<typeof UpdateRoleBody>;

/** The query of the tenant admin's role routes: which of their tenant-admin memberships. */
export const OwnTenantRolesQuery = TenantScopeQuery.omit({ env: true });
export type OwnTenantRolesQuery = z.infer<typeof OwnTenantRolesQuery>;
