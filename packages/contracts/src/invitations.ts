import { z } from "zod";
import { Email, LinkToken, Password, Role } from "./auth";
import { Key, Name, PageQuery } from "./common";
import { WorkspaceSlug } from "./workspaces";

export const InvitationParams = z.object({ workspace: WorkspaceSlug, invitationId: z.uuid() });
export type InvitationParams = z.infer<typeof InvitationParams>;

export const INVITATION_STATUSES = ["pending", "accepted", "revoked", "expired"] as const;
export const InvitationStatus = z.enum(INVITATION_STATUSES);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

/**
 * An invitation as the workspace's admins see it: the email it was sent to, never anything of
 * an account that email may already have (name, last sign-in) until it is accepted.
 */
export const InvitationResponse = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  /** The tenant a tenant admin will manage; null for every other role. */
  tenant: z.object({ id: z.string(), key: z.string(), name: z.string() }).nullable(),
  status: InvitationStatus,
  invitedBy: z.string().nullable(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type InvitationResponse = z.infer<typeof InvitationResponse>;

/** The answer to an invitation, the same whether or not the email has an account. */
export const CreatedInvitationResponse = InvitationResponse.extend({
  /** The accept link, shown this once: only its hash is kept. Pass it on to the invitee. */
  acceptUrl: z.string(),
});
export type CreatedInvitationResponse = z.infer<typeof CreatedInvitationResponse>;

export const ListInvitationsQuery = PageQuery.extend({
  /** Pending (the default) or any status. */
  status: z.enum([...INVITATION_STATUSES, "all"]).default("pending"),
});
export type ListInvitationsQuery = z.infer<typeof ListInvitationsQuery>;

/** Invites an email to the workspace with a role; `tenantKey` is required for, and only for, `tenant_admin`. */
export const CreateInvitationBody = z
  .object({ email: Email, role: Role, tenantKey: Key.optional() })
  .strict()
  .superRefine((body, ctx) => {
    if (body.role === "tenant_admin" && !body.tenantKey) {
      ctx.addIssue({ code: "custom", path: ["tenantKey"], message: "a tenant admin needs the key of the tenant they manage" });
    }
    if (body.role !== "tenant_admin" && body.tenantKey) {
      ctx.addIssue({ code: "custom", path: ["tenantKey"], message: "only tenant admins are bound to a tenant" });
    }
  });
export type CreateInvitationBody = z.infer<typeof CreateInvitationBody>;

/** What the accept page shows the holder of a valid link. */
export const InvitationInfo = z.object({
  workspace: z.object({ slug: z.string(), name: z.string() }),
  email: z.string(),
  role: Role,
  tenant: z.object({ key: z.string(), name: z.string() }).nullable(),
  expiresAt: z.string(),
});
export type InvitationInfo = z.infer<typeof InvitationInfo>;

/** Accepts as a new user: the account is created with this name and password. */
export const AcceptInvitationAsNewUserBody = z.object({ token: LinkToken, name: Name, password: Password }).strict();
export type AcceptInvitationAsNewUserBody = z.infer<typeof AcceptInvitationAsNewUserBody>;

/** Accepts as the signed-in user, whose email must be the invitation's. */
export const AcceptInvitationBody = z.object({ token: LinkToken }).strict();
export type AcceptInvitationBody = z.infer<typeof AcceptInvitationBody>;

export const AcceptedInvitationResponse = z.object({
  workspace: z.object({ slug: z.string(), name: z.string() }),
  email: z.string(),
  role: Role,
});
export type AcceptedInvitationResponse = z.infer<typeof AcceptedInvitationResponse>;
