import { z } from "zod";

export const ROLES = ["owner", "admin", "editor", "viewer", "tenant_admin"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/**
 * What each workspace role may do. The API checks these on every route; the admin app uses
 * the same table to hide controls a user cannot use.
 */
export const CAPABILITIES = {
  /** Read flags, state, tenants, segments, audit, stats. */
  "workspace:read": ["owner", "admin", "editor", "viewer"],
  /** Create and edit flag definitions, modules, tenants, environments; import. */
  "definitions:write": ["owner", "admin"],
  /** Toggle flags, edit rules, rollout, allow/deny lists, schedules, segments. */
  "state:write": ["owner", "admin", "editor"],
  /** Set and clear tenant and user overrides. */
  "overrides:write": ["owner", "admin", "editor"],
  /** Lock and unlock tenant overrides. */
  "overrides:lock": ["owner", "admin"],
  /** Create and revoke API keys; read context signing secrets. */
  "keys:manage": ["owner", "admin"],
  /** Invite members and change roles. */
  "members:manage": ["owner", "admin"],
  /** Issue a one-time password-reset link for a member. */
  "members:reset_password": ["owner"],
  /** Export the whole workspace. */
  "workspace:export": ["owner", "admin"],
  /** Set how long audit entries are kept; download the exports of purged entries. */
  "audit:retention": ["owner"],
  /** Create, change and delete webhooks and notifications; read their delivery log. */
  "webhooks:manage": ["owner", "admin"],
  /** The tenant admin's own tenant's features. */
  "tenant:manage": ["tenant_admin"],
} as const satisfies Record<string, readonly Role[]>;
export type Capability = keyof typeof CAPABILITIES;

export function can(role: Role | undefined, capability: Capability): boolean {
  return role !== undefined && (CAPABILITIES[capability] as readonly Role[]).includes(role);
}

export const Email = z.string().trim().toLowerCase().email().max(254);
export const Password = z.string().min(10, "must be at least 10 characters").max(200);

/** The secret part of an invitation or password-reset link. */
export const LinkToken = z.string().min(1).max(200);

/** A signed-in user's own password change: the current one proves it is them. */
export const ChangePasswordBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: Password }).strict();
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/** Redeems an owner-issued reset link: the token from the link and the new password. */
export const RedeemPasswordResetBody = z.object({ token: LinkToken, newPassword: Password }).strict();
export type RedeemPasswordResetBody = z.infer<typeof RedeemPasswordResetBody>;

/** The token of an invitation or reset link, for looking it up before acting on it. */
export const LinkTokenBody = z.object({ token: LinkToken }).strict();
export type LinkTokenBody = z.infer<typeof LinkTokenBody>;

/** A reset link an owner issued for a member: shown this once (only its hash is kept), to pass on. */
export const IssuedPasswordResetResponse = z.object({ email: z.string(), expiresAt: z.string(), resetUrl: z.string() });
export type IssuedPasswordResetResponse = z.infer<typeof IssuedPasswordResetResponse>;

/** What the reset page shows before a new password is chosen. */
export const PasswordResetInfo = z.object({ email: z.string(), expiresAt: z.string() });
export type PasswordResetInfo = z.infer<typeof PasswordResetInfo>;

export const LoginBody = z.object({
  email: Email,
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const MembershipSummary = z.object({
  workspace: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  role: Role,
  tenant: z.object({ id: z.string(), key: z.string(), name: z.string() }).nullable(),
});
export type MembershipSummary = z.infer<typeof MembershipSummary>;

export const CurrentUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  isSuperadmin: z.boolean(),
  memberships: z.array(MembershipSummary),
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const TokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  /** Seconds until the access token expires. */
  expiresIn: z.number().int(),
  user: CurrentUser,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** How people may sign in: the login page shows the password form and the provider's button accordingly. */
export const SignInMethods = z.object({
  /** Whether email-and-password sign-in is on. */
  password: z.boolean(),
  /** The OpenID Connect provider, or null when single sign-on is not configured. */
  oidc: z
    .object({
      /** The button says "Sign in with <label>". */
      label: z.string(),
      /** Where the browser goes (a full page navigation) to start signing in. */
      startUrl: z.string(),
    })
    .nullable(),
});
export type SignInMethods = z.infer<typeof SignInMethods>;

/** Fastify passes an absent body as null. */
export const RefreshBody = z.object({ refreshToken: z.string().max(200).optional() }).nullish();
