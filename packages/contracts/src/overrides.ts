import { z } from "zod";
import { FlagKey, IsoDateTime, Key, PageQuery, QueryBoolean, pageOf } from "./common";
import { VariantKey } from "./targeting";

export const OverrideSource = z.enum(["workspace_admin", "tenant_admin"]);
export type OverrideSource = z.infer<typeof OverrideSource>;

export const FlagEnvironmentParams = z.object({ workspace: z.string(), key: FlagKey, env: Key });
export const TenantOverrideParams = FlagEnvironmentParams.extend({ tenant: Key });
export const UserOverrideParams = FlagEnvironmentParams.extend({ userKey: Key });

/** `PUT .../flags/:key/environments/:env/tenant-overrides/:tenant`. */
export const SetTenantOverrideBody = z
  .object({
    /** One of the flag's variants. */
    variant: VariantKey,
    /** Locking (or unlocking) needs `overrides:lock`; absent keeps the current lock. */
    locked: z.boolean().optional(),
    /** In the future; `null` or absent: never expires. */
    expiresAt: IsoDateTime.nullable().optional(),
  })
  .strict();
export type SetTenantOverrideBody = z.infer<typeof SetTenantOverrideBody>;

export const TenantOverrideResponse = z.object({
  id: z.string(),
  flag: FlagKey,
  environment: Key,
  tenant: z.object({ key: Key, name: z.string() }),
  variant: z.string(),
  source: OverrideSource,
  locked: z.boolean(),
  expiresAt: z.string().nullable(),
  /** The evaluator ignores an expired override; a job sweeps it. */
  isExpired: z.boolean(),
  updatedBy: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TenantOverrideResponse = z.infer<typeof TenantOverrideResponse>;

export const ListTenantOverridesQuery = PageQuery.extend({
  /** Part of the tenant's key or name, case-insensitive. */
  search: z.string().trim().max(200).optional(),
  locked: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  source: OverrideSource.optional(),
  variant: VariantKey.optional(),
});
export type ListTenantOverridesQuery = z.infer<typeof ListTenantOverridesQuery>;

export const TenantOverrideListResponse = pageOf(TenantOverrideResponse);
export type TenantOverrideListResponse = z.infer<typeof TenantOverrideListResponse>;

/** `PUT .../flags/:key/environments/:env/user-overrides/:userKey`. */
export const SetUserOverrideBody = z
  .object({
    variant: VariantKey,
    expiresAt: IsoDateTime.nullable().optional(),
  })
  .strict();
export type SetUserOverrideBody = z.infer<typeof SetUserOverrideBody>;

export const UserOverrideResponse = z.object({
  id: z.string(),
  flag: FlagKey,
  environment: Key,
  userKey: Key,
  variant: z.string(),
  expiresAt: z.string().nullable(),
  isExpired: z.boolean(),
  updatedBy: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type UserOverrideResponse = z.infer<typeof UserOverrideResponse>;

export const ListUserOverridesQuery = PageQuery.extend({
  /** Part of the user key, case-insensitive. */
  search: z.string().trim().max(200).optional(),
});
export type ListUserOverridesQuery = z.infer<typeof ListUserOverridesQuery>;

export const UserOverrideListResponse = pageOf(UserOverrideResponse);
export type UserOverrideListResponse = z.infer<typeof UserOverrideListResponse>;

/** `GET /v1/workspaces/:workspace/environments/:env/user-overrides`: every flag's, in one list. */
export const ListEnvironmentUserOverridesQuery = PageQuery.extend({
  /** Part of the user key, case-insensitive. */
  q: z.string().trim().max(200).optional(),
  /** Only this flag's overrides. */
  flag: FlagKey.optional(),
  /** `false` hides overrides whose expiry has passed (kept until the schedule runner removes them). */
  expired: QueryBoolean.optional(),
}).strict();
export type ListEnvironmentUserOverridesQuery = z.infer<typeof ListEnvironmentUserOverridesQuery>;

export const EnvironmentUserOverride = UserOverrideResponse.extend({ flagName: z.string() });
export type EnvironmentUserOverride = z.infer<typeof EnvironmentUserOverride>;
export const EnvironmentUserOverrideList = pageOf(EnvironmentUserOverride);
export type EnvironmentUserOverrideList = z.infer<typeof EnvironmentUserOverrideList>;

/** Most tenants one bulk action may name. */
export const BULK_TENANT_LIMIT = 1_000;

const BulkTenants = z
  .array(Key)
  .min(1)
  .max(BULK_TENANT_LIMIT, `at most ${BULK_TENANT_LIMIT} tenants per action`)
  .refine((keys) => new Set(keys).size === keys.length, "tenant keys must be unique");

const BulkBase = { tenants: BulkTenants, preview: z.boolean().optional() };

/**
 * `POST .../environments/:env/tenant-overrides/bulk`: one action for many tenants, in one
 * transaction. `preview: true` answers what would change and changes nothing.
 */
export const BulkOverridesBody = z.discriminatedUnion("action", [
  z
    .object({
      action: z.literal("set"),
      flag: FlagKey,
      /** Absent: the flag's on variant ("enable X for the selected tenants"). */
      variant: VariantKey.optional(),
      locked: z.boolean().optional(),
      expiresAt: IsoDateTime.nullable().optional(),
      ...BulkBase,
    })
    .strict(),
  z.object({ action: z.literal("lock"), flag: FlagKey, ...BulkBase }).strict(),
  z.object({ action: z.literal("unlock"), flag: FlagKey, ...BulkBase }).strict(),
  z.object({ action: z.literal("clear"), flag: FlagKey, ...BulkBase }).strict(),
  /** Every live flag's override set to its off variant ("disable all features for the selected"). */
  z.object({ action: z.literal("disable_all"), ...BulkBase }).strict(),
]);
export type BulkOverridesBody = z.infer<typeof BulkOverridesBody>;

/** An override as a bulk change sees it; `null` is "no override". */
export const OverrideSnapshot = z
  .object({
    variant: z.string(),
    locked: z.boolean(),
    source: OverrideSource,
    expiresAt: z.string().nullable(),
  })
  .nullable();
export type OverrideSnapshot = z.infer<typeof OverrideSnapshot>;

export const BulkChange = z.object({
  tenant: Key,
  flag: FlagKey,
  before: OverrideSnapshot,
  after: OverrideSnapshot,
});
export type BulkChange = z.infer<typeof BulkChange>;

export const BulkOverridesResponse = z.object({
  action: z.enum(["set", "lock", "unlock", "clear", "disable_all"]),
  environment: Key,
  /** True when nothing was changed: `changes` is what would have changed. */
  preview: z.boolean(),
  changes: z.array(BulkChange),
  /** Tenants (and flags) the action left as they were, and why. */
  skipped: z.array(z.object({ tenant: Key, flag: FlagKey.nullable(), reason: z.string() })),
});
export type BulkOverridesResponse = z.infer<typeof BulkOverridesResponse>;
