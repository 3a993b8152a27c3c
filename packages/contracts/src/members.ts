import { z } from "zod";
import { Email, Password, Role } from "./auth";
import { Key, Name, PageQuery, SortOrder } from "./common";
import { WorkspaceSlug } from "./workspaces";

export const MemberParams = z.object({ workspace: WorkspaceSlug, memberId: z.uuid() });
export type MemberParams = z.infer<typeof MemberParams>;

/** A membership with its user. Users are platform-wide; their password hashes never leave the API. */
export const MemberResponse = z.object({
  /** The membership's id: the path parameter of role changes and removal. */
  id: z.string(),
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  /** The one tenant a tenant admin manages; null for every other role. */
  tenant: z.object({ id: z.string(), key: z.string(), name: z.string() }).nullable(),
  lastLoginAt: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MemberResponse = z.infer<typeof MemberResponse>;

export const AddMemberResponse = MemberResponse.extend({
  /** True when the email was new to Ensign and the user was created with the given password. */
  userCreated: z.boolean(),
});
export type AddMemberResponse = z.infer<typeof AddMemberResponse>;

export const ListMembersQuery = PageQuery.extend({
  /** Matches email or name, case-insensitively. */
  search: z.string().trim().max(200).optional(),
  role: Role.optional(),
  /** Tenant admins of this tenant. */
  tenantKey: Key.optional(),
  sort: z.enum(["email", "name", "role", "createdAt"]).default("email"),
  order: SortOrder.default("asc"),
});
export type ListMembersQuery = z.infer<typeof ListMembersQuery>;

function tenantKeyMatchesRole(body: { role?: Role; tenantKey?: string | null }, ctx: z.RefinementCtx) {
  if (body.role === "tenant_admin" && !body.tenantKey) {
    ctx.addIssue({ code: "custom", path: ["tenantKey"], message: "a tenant admin needs the key of the tenant they manage" });
  }
  if (body.role !== undefined && body.role !== "tenant_admin" && body.tenantKey) {
    ctx.addIssue({ code: "custom", path: ["tenantKey"], message: "only tenant admins are bound to a tenant" });
  }
}

/**
 * Adds a user to the workspace. A new email creates the user with `name` and the initial
 * `password` (at least 10 characters); an existing user is added as they are (name and
 * password are not changed).
 */
export const AddMemberBody = z
  .object({
    email: Email,
    name: Name,
    role: Role,
    tenantKey: Key.optional(),
    password: Password.optional(),
  })
  .strict()
  .superRefine(tenantKeyMatchesRole);
export type AddMemberBody = z.infer<typeof AddMemberBody>;

/** A new role; `tenantKey` is required for, and only for, `tenant_admin`. */
export const UpdateMemberBody = z
  .object({ role: Role, tenantKey: Key.nullish() })
  .strict()
  .superRefine(tenantKeyMatchesRole);
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;
