import { z } from "zod";
import { Role } from "./auth";
import { Key, PageQuery, SortOrder } from "./common";
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

/** A new role; `tenantKey` is required for, and only for, `tenant_admin`. */
export const UpdateMemberBody = z
  .object({ role: Role, tenantKey: Key.nullish() })
  .strict()
  .superRefine(tenantKeyMatchesRole);
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;
