import { z } from "zod";
import { Key, Name } from "./common";
import { Role } from "./auth";
import { WorkspaceSlug } from "./workspaces";

/** How long a token lives when its creator does not say: 90 days. */
export const DEFAULT_TOKEN_DAYS = 90;
/** The longest a token may live: a year. */
export const MAX_TOKEN_DAYS = 365;

/**
 * The roles a token may be given or narrowed to. Personal tokens that should act with the
 * user's full standing (owner or tenant admin included) leave `maxRole` out.
 */
export const TOKEN_ROLES = ["admin", "editor", "viewer"] as const;
export const TokenRole = z.enum(TOKEN_ROLES);
export type TokenRole = z.infer<typeof TokenRole>;

/** Days until the token expires (default 90, at most 365). */
const ExpiresInDays = z.number().int().min(1).max(MAX_TOKEN_DAYS).default(DEFAULT_TOKEN_DAYS);

const TokenFields = {
  id: z.string(),
  name: z.string(),
  /** The first characters of the token (`ens_pat_AbC123`), to recognise it. */
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
};

/** A personal access token as lists show it: never its secret, never its hash. */
export const PersonalTokenResponse = z.object({
  ...TokenFields,
  /** The highest role the token acts with; null: the user's own role in each workspace. */
  maxRole: Role.nullable(),
});
export type PersonalTokenResponse = z.infer<typeof PersonalTokenResponse>;

/** The answer to creating a token: the only time its secret is shown. */
export const CreatedPersonalTokenResponse = PersonalTokenResponse.extend({ secret: z.string() });
export type CreatedPersonalTokenResponse = z.infer<typeof CreatedPersonalTokenResponse>;

export const CreatePersonalTokenBody = z.object({ name: Name, maxRole: TokenRole.nullable().default(null), expiresInDays: ExpiresInDays }).strict();
export type CreatePersonalTokenBody = z.infer<typeof CreatePersonalTokenBody>;

export const PersonalTokenParams = z.object({ id: z.uuid() });
export type PersonalTokenParams = z.infer<typeof PersonalTokenParams>;

/** A workspace's service token as lists show it: never its secret, never its hash. */
export const ServiceTokenResponse = z.object({
  ...TokenFields,
  role: TokenRole,
  /** The one environment whose state it may change; null: every environment. */
  environment: Key.nullable(),
  createdBy: z.string().nullable(),
});
export type ServiceTokenResponse = z.infer<typeof ServiceTokenResponse>;

export const CreatedServiceTokenResponse = ServiceTokenResponse.extend({ secret: z.string() });
export type CreatedServiceTokenResponse = z.infer<typeof CreatedServiceTokenResponse>;

export const CreateServiceTokenBody = z
  .object({ name: Name, role: TokenRole, environment: Key.nullable().default(null), expiresInDays: ExpiresInDays })
  .strict();
export type CreateServiceTokenBody = z.infer<typeof CreateServiceTokenBody>;

export const ServiceTokenParams = z.object({ workspace: WorkspaceSlug, id: z.uuid() });
export type ServiceTokenParams = z.infer<typeof ServiceTokenParams>;
