import { z } from "zod";
import { Key, Name, PageQuery, QueryBoolean, SortOrder } from "./common";
import { WorkspaceSlug } from "./workspaces";

export const API_KEY_KINDS = ["server", "client"] as const;
/** `server`: downloads the full configuration for local evaluation; `client`: public, evaluates only. */
export const ApiKeyKind = z.enum(API_KEY_KINDS);
export type ApiKeyKind = z.infer<typeof ApiKeyKind>;

export const ApiKeyParams = z.object({ workspace: WorkspaceSlug, env: Key, id: z.uuid() });
export type ApiKeyParams = z.infer<typeof ApiKeyParams>;

/** An API key as lists show it: never its secret, never its hash. */
export const ApiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  kind: ApiKeyKind,
  /** The first characters of the key (`ens_srv_AbC123`), to recognise it. */
  prefix: z.string(),
  environment: Key,
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKeyResponse = z.infer<typeof ApiKeyResponse>;

/** The answer to creating a key: the only time its secret is shown. */
export const CreatedApiKeyResponse = ApiKeyResponse.extend({ secret: z.string() });
export type CreatedApiKeyResponse = z.infer<typeof CreatedApiKeyResponse>;

export const CreateApiKeyBody = z.object({ name: Name, kind: ApiKeyKind }).strict();
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;

export const ListApiKeysQuery = PageQuery.extend({
  /** Matches name or prefix, case-insensitively. */
  search: z.string().trim().max(200).optional(),
  kind: ApiKeyKind.optional(),
  /** Only keys of this environment (workspace-wide list). */
  environment: Key.optional(),
  /** Include revoked keys (default true). */
  includeRevoked: QueryBoolean.default(true),
  sort: z.enum(["createdAt", "name", "lastUsedAt"]).default("createdAt"),
  order: SortOrder.default("desc"),
});
export type ListApiKeysQuery = z.infer<typeof ListApiKeysQuery>;
