import { z } from "zod";
import { FlagKey, IsoDateTime, Key, PageQuery, pageOf } from "./common";
import { ACTOR_TYPES } from "./audit";
import { Reason } from "./evaluation";
import { JsonValue } from "./targeting";
import { WorkspaceSlug } from "./workspaces";

/**
 * The tenant admin API (`/v1/tenant/...`): a tenant admin manages their own tenant's features,
 * within the limits the workspace's admins set. The workspace is the caller's tenant-admin
 * membership; `workspace` is required only when they are a tenant admin in several.
 */
export const TenantScopeQuery = z.object({
  workspace: WorkspaceSlug.optional(),
  /** The environment; `production` when absent. */
  env: Key.optional(),
});
export type TenantScopeQuery = z.infer<typeof TenantScopeQuery>;

export const TenantFeaturesQuery = TenantScopeQuery.extend({
  /** A module key; `none` for features that belong to no module. */
  module: Key.optional(),
  /** Part of the key, name or description, case-insensitive. */
  search: z.string().trim().max(200).optional(),
});
export type TenantFeaturesQuery = z.infer<typeof TenantFeaturesQuery>;

export const FeatureParams = z.object({ key: FlagKey });

export const TenantModuleParams = z.object({ module: Key });
export const ToggleModuleBody = z.object({ enabled: z.boolean() }).strict();
export type ToggleModuleBody = z.infer<typeof ToggleModuleBody>;
export const TenantModuleResponse = z.object({ key: Key, name: z.string(), enabled: z.boolean(), tenantManageable: z.boolean() });
export type TenantModuleResponse = z.infer<typeof TenantModuleResponse>;

/** Why a tenant admin cannot flip a feature right now; the same codes the PUT refuses with. */
export const TOGGLE_BLOCKS = ["FEATURE_NOT_MANAGEABLE", "FEATURE_LOCKED", "MODULE_DISABLED", "FEATURE_DISABLED", "DEPENDENCY_NOT_MET", "FLAG_DEPRECATED"] as const;
export const ToggleBlock = z.enum(TOGGLE_BLOCKS);
export type ToggleBlock = z.infer<typeof ToggleBlock>;

export const FeatureDependency = z.object({
  key: FlagKey,
  name: z.string(),
  /** The prerequisite is on for this tenant. */
  isMet: z.boolean(),
});
export type FeatureDependency = z.infer<typeof FeatureDependency>;

export const TenantFeature = z.object({
  key: FlagKey,
  name: z.string(),
  description: z.string(),
  module: Key.nullable(),
  /** The effective value for the tenant's context in this environment. */
  enabled: z.boolean(),
  value: JsonValue,
  reason: Reason,
  detail: z.string(),
  /** The workspace admins pinned it: a locked override, or the tenant is on the deny or allow list. */
  locked: z.boolean(),
  lockedBy: z.enum(["override", "deny_list", "allow_list"]).nullable(),
  isBeta: z.boolean(),
  /** Where to send feedback about this beta feature, when the workspace gives one. */
  feedbackUrl: z.string().nullable(),
  /** Whether the workspace lets tenant admins switch it at all; the others are read-only. */
  tenantManageable: z.boolean(),
  deprecated: z.boolean(),
  /** The workspace admins switched it off in this environment (kill switch): off for every tenant. */
  globallyDisabled: z.boolean(),
  moduleEnabled: z.boolean(),
  dependencies: z.array(FeatureDependency),
  /** Features of this tenant that are on and depend on this one: disabling it turns them off. */
  dependants: z.array(FlagKey),
  /** Whether the tenant admin may flip it now; `blockedBy` says why not. */
  canToggle: z.boolean(),
  blockedBy: ToggleBlock.nullable(),
  blockedReason: z.string().nullable(),
  /** The tenant's override: who set it, its variant. `null` when the feature follows the workspace's defaults. */
  override: z
    .object({ variant: z.string(), source: z.enum(["workspace_admin", "tenant_admin"]), locked: z.boolean(), expiresAt: z.string().nullable() })
    .nullable(),
  /** The override's version (0 without one): send it as `If-Match` to refuse a toggle based on a stale view. */
  version: z.number().int(),
});
export type TenantFeature = z.infer<typeof TenantFeature>;

export const TenantFeatureModule = z.object({
  /** `null` groups the features of no module. */
  key: Key.nullable(),
  name: z.string(),
  /** Off means every feature in it is off for this tenant and cannot be enabled. */
  enabled: z.boolean(),
  /** Whether the tenant admin may switch the module itself (`PUT /v1/tenant/modules/:module`). */
  tenantManageable: z.boolean(),
  features: z.array(TenantFeature),
});
export type TenantFeatureModule = z.infer<typeof TenantFeatureModule>;

export const TenantFeaturesResponse = z.object({
  workspace: z.object({ slug: z.string(), name: z.string() }),
  tenant: z.object({ key: Key, name: z.string() }),
  environment: Key,
  modules: z.array(TenantFeatureModule),
});
export type TenantFeaturesResponse = z.infer<typeof TenantFeaturesResponse>;

/**
 * `PUT /v1/tenant/features/:key`. Disabling a feature that other enabled features depend on is
 * refused (409 HAS_DEPENDANTS naming them) unless `force: true`; the dependants then evaluate
 * off through their prerequisite, and come back when it is enabled again.
 */
export const ToggleFeatureBody = z
  .object({
    enabled: z.boolean(),
    force: z.boolean().optional(),
  })
  .strict();
export type ToggleFeatureBody = z.infer<typeof ToggleFeatureBody>;

export const TenantAuditQuery = TenantScopeQuery.omit({ env: true }).extend(PageQuery.shape).extend({
  flag: FlagKey.optional(),
  action: z.string().trim().min(1).max(100).optional(),
  from: IsoDateTime.optional(),
  to: IsoDateTime.optional(),
});
export type TenantAuditQuery = z.infer<typeof TenantAuditQuery>;

/** An audit entry as a tenant admin sees it: no IP or user agent, and workspace staff by role only. */
export const TenantAuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  environment: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetKey: z.string().nullable(),
  actor: z.object({
    type: z.enum(ACTOR_TYPES),
    role: z.string().nullable(),
    /** Shown for the tenant's own admins only. */
    email: z.string().nullable(),
  }),
  before: JsonValue.nullable(),
  after: JsonValue.nullable(),
});
export type TenantAuditEntry = z.infer<typeof TenantAuditEntry>;

export const TenantAuditResponse = pageOf(TenantAuditEntry);
export type TenantAuditResponse = z.infer<typeof TenantAuditResponse>;
