import { z } from "zod";
import { Key, Name, PageQuery, SortOrder } from "./common";
import { MasterSwitchState } from "./master-switch";
import { WorkspaceSlug } from "./workspaces";

/** `#rgb` or `#rrggbb`. */
export const Color = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, "must be a hex colour such as #dc2626");
const HttpsUrl = z.url({ protocol: /^https$/ }).max(2_000);

/** Most request headers an environment may expose to targeting. */
export const EXPOSED_HEADERS_LIMIT = 20;
/** Longest header value added to an evaluation context; longer values are cut. */
export const EXPOSED_HEADER_VALUE_LIMIT = 256;
/** Headers that carry credentials or the signed context itself: never exposed to targeting. */
export const UNEXPOSABLE_HEADERS: readonly string[] = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-ensign-context",
  "x-csrf-token",
  "x-xsrf-token",
  "x-auth-token",
  "x-access-token",
  "x-amz-security-token",
];

/** A lower-case HTTP header name (RFC 9110 token characters) that is not a credential. */
export const ExposedHeaderName = z
  .string()
  .max(100)
  .regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, "header names are lower-case token characters (a-z, 0-9, !#$%&'*+.^_`|~-)")
  .refine((name) => !UNEXPOSABLE_HEADERS.includes(name), { message: "credential headers are never exposed to targeting" });

/** Request headers added to portal and OFREP evaluation contexts as `header.<name>`; no duplicates. */
export const ExposedHeaders = z
  .array(ExposedHeaderName)
  .max(EXPOSED_HEADERS_LIMIT, `at most ${EXPOSED_HEADERS_LIMIT} headers`)
  .refine((names) => new Set(names).size === names.length, { message: "each header appears once" });

export const EnvironmentParams = z.object({ workspace: WorkspaceSlug, env: Key });
export type EnvironmentParams = z.infer<typeof EnvironmentParams>;

export const EnvironmentResponse = z.object({
  id: z.string(),
  key: Key,
  name: z.string(),
  color: z.string().nullable(),
  sortOrder: z.number().int(),
  /** Issuer whose JWKS may also sign this environment's context tokens. */
  contextIssuer: z.string().nullable(),
  contextJwksUrl: z.string().nullable(),
  /** Client keys must send a signed context token here; server keys never need one. */
  requireContextToken: z.boolean(),
  /** Live customer traffic: the admin app confirms toggles and rollouts here, showing who they affect. */
  isProduction: z.boolean(),
  /**
   * Request headers portal and OFREP evaluations add to the context as `header.<name>`.
   * Sent by the client: target with them, never decide security with them.
   */
  exposedHeaders: z.array(z.string()),
  masterSwitch: MasterSwitchState,
  /** Increases with every change to anything this environment's evaluation depends on. */
  snapshotVersion: z.number().int(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EnvironmentResponse = z.infer<typeof EnvironmentResponse>;

export const ListEnvironmentsQuery = PageQuery.extend({
  /** Matches key or name, case-insensitively. */
  search: z.string().trim().max(200).optional(),
  sort: z.enum(["sortOrder", "key", "name", "createdAt"]).default("sortOrder"),
  order: SortOrder.default("asc"),
});
export type ListEnvironmentsQuery = z.infer<typeof ListEnvironmentsQuery>;

export const CreateEnvironmentBody = z
  .object({
    key: Key,
    name: Name,
    color: Color.nullish(),
    /** Position among the workspace's environments; after the last one when absent. */
    sortOrder: z.number().int().min(0).max(10_000).optional(),
    /** Refuse client-key evaluations without a signed context token; true (secure) when absent. */
    requireContextToken: z.boolean().optional(),
    /** Marks live customer traffic; true when absent for the key `production`, else false. */
    isProduction: z.boolean().optional(),
  })
  .strict();
export type CreateEnvironmentBody = z.infer<typeof CreateEnvironmentBody>;

/** Missing fields stay as they are; `null` clears. The key never changes: API keys and SDKs name it. */
export const UpdateEnvironmentBody = z
  .object({
    name: Name.optional(),
    color: Color.nullable().optional(),
    sortOrder: z.number().int().min(0).max(10_000).optional(),
    contextIssuer: z.string().trim().min(1).max(500).nullable().optional(),
    contextJwksUrl: HttpsUrl.nullable().optional(),
    requireContextToken: z.boolean().optional(),
    isProduction: z.boolean().optional(),
    exposedHeaders: ExposedHeaders.optional(),
  })
  .strict();
export type UpdateEnvironmentBody = z.infer<typeof UpdateEnvironmentBody>;

/** Deleting an environment deletes its flag states, overrides, identities, schedules and API keys: the caller types its key. */
export const DeleteEnvironmentBody = z.object({ confirm: z.string().max(200) }).strict();
export type DeleteEnvironmentBody = z.infer<typeof DeleteEnvironmentBody>;

/**
 * The HS256 secret the customer's backend signs context tokens with (`X-Ensign-Context`).
 * Served with `Cache-Control: no-store`; only `keys:manage` may read or rotate it.
 */
export const ContextSecretResponse = z.object({
  environment: Key,
  secret: z.string(),
  /** The environment's version after a rotation. */
  version: z.number().int(),
});
export type ContextSecretResponse = z.infer<typeof ContextSecretResponse>;
