import { z } from "zod";
import { FlagKey, IsoDateTime, Key } from "./common";
import { FlagType, JsonValue, Rule, SegmentRule, Serve, Variant, VariantKey } from "./targeting";

/**
 * The stored form of one environment's complete evaluation input. The API builds it from
 * PostgreSQL, keeps it in Redis, and serves it to server SDKs at `GET /v1/config`;
 * `@ensign/evaluator`'s `compile` turns it into the form evaluation runs on.
 */
export const SNAPSHOT_SCHEMA_VERSION = 1;

export const SnapshotTenantOverride = z.object({
  tenantKey: Key,
  variant: VariantKey,
  locked: z.boolean(),
  expiresAt: IsoDateTime.nullable().optional(),
});
export type SnapshotTenantOverride = z.infer<typeof SnapshotTenantOverride>;

export const SnapshotUserOverride = z.object({
  userKey: Key,
  variant: VariantKey,
  expiresAt: IsoDateTime.nullable().optional(),
});
export type SnapshotUserOverride = z.infer<typeof SnapshotUserOverride>;

/**
 * An override for one value of a workspace's override dimension ("layer"), e.g. platform
 * `tiktok` → variant `on`. A locked one wins over every override and rule of the order.
 */
export const SnapshotLayerOverride = z.object({
  layer: Key,
  value: z.string(),
  variant: VariantKey,
  locked: z.boolean(),
  expiresAt: IsoDateTime.nullable().optional(),
});
export type SnapshotLayerOverride = z.infer<typeof SnapshotLayerOverride>;

export const SnapshotFlagState = z.object({
  enabled: z.boolean(),
  rules: z.array(Rule),
  fallthrough: Serve,
  tenantAllow: z.array(Key),
  tenantDeny: z.array(Key),
  tenantOverrides: z.array(SnapshotTenantOverride),
  userOverrides: z.array(SnapshotUserOverride),
  /** Overrides per dimension value; absent in workspaces without dimensions. */
  layerOverrides: z.array(SnapshotLayerOverride).optional(),
  version: z.number().int(),
});
export type SnapshotFlagState = z.infer<typeof SnapshotFlagState>;

export const SnapshotFlag = z.object({
  key: FlagKey,
  type: FlagType,
  variants: z.array(Variant),
  /** Served when the flag is off: kill switch, module off, prerequisite failed, deny list. */
  offVariant: VariantKey,
  /** Served by the tenant allow list and by "enable" actions of tenant admins. */
  onVariant: VariantKey,
  /** Salt of the split hash: `murmur3_32("<flagKey>/<salt>/<bucketByValue>")`. */
  salt: z.string(),
  module: Key.nullable().optional(),
  dependsOn: z.array(FlagKey),
  deprecated: z.boolean(),
  archived: z.boolean(),
  /** `false` when evaluations are not counted in the statistics; counted when absent. */
  trackAnalytics: z.boolean().optional(),
  state: SnapshotFlagState,
});
export type SnapshotFlag = z.infer<typeof SnapshotFlag>;

export const SnapshotSegment = z.object({
  key: Key,
  includedUsers: z.array(Key),
  excludedUsers: z.array(Key),
  includedTenants: z.array(Key),
  excludedTenants: z.array(Key),
  /** The context is in the segment when any rule's conditions all hold. */
  rules: z.array(SegmentRule),
});
export type SnapshotSegment = z.infer<typeof SnapshotSegment>;

/**
 * An end-user role of the hierarchy `role_at_least` reads: it has every role it `inherits`
 * (transitively), so `admin` inheriting `manager` inheriting `employee` is at least each of them.
 */
export const SnapshotRole = z.object({
  key: Key,
  inherits: z.array(Key),
  /** Tenant roles only: roles above this one that, for this tenant, inherit it too. */
  inheritedBy: z.array(Key).optional(),
});
export type SnapshotRole = z.infer<typeof SnapshotRole>;

export const SnapshotTenant = z.object({
  key: Key,
  attributes: z.record(z.string(), JsonValue),
  disabledModules: z.array(Key),
  /** The tenant's own roles, placed in the workspace's hierarchy; absent when it has none. */
  roles: z.array(SnapshotRole).optional(),
});
export type SnapshotTenant = z.infer<typeof SnapshotTenant>;

export const SnapshotIdentity = z.object({
  key: Key,
  traits: z.record(z.string(), JsonValue),
});
export type SnapshotIdentity = z.infer<typeof SnapshotIdentity>;

/** The built-in steps of the override order, beside the workspace's own dimensions. */
export const BUILT_IN_LAYERS = ["user", "tenant", "rules"] as const;
export type BuiltInLayer = (typeof BUILT_IN_LAYERS)[number];

/** One of the workspace's override dimensions: a context attribute and its known values. */
export const SnapshotLayer = z.object({
  key: Key,
  /** The context attribute whose value picks the override, e.g. `platform`. */
  attribute: z.string().min(1),
  values: z.array(z.string()),
});
export type SnapshotLayer = z.infer<typeof SnapshotLayer>;

export const EnvironmentSnapshot = z.object({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  workspace: z.string(),
  environment: Key,
  /** Increases with every change to anything in the snapshot. */
  version: z.number().int(),
  generatedAt: z.string(),
  /**
   * The environment's master switch: while `true`, every flag serves its off variant (reason
   * `DISABLED`, detail `MASTER_SWITCH`). Absent means off, so snapshots written before the
   * switch existed read as they did.
   */
  masterSwitch: z.boolean().optional(),
  /** The workspace's override dimensions; absent when it has none. */
  layers: z.array(SnapshotLayer).optional(),
  /**
   * The override order, first that decides wins: `user`, `tenant`, `rules` and each layer's
   * key, each once. Absent means `user`, `tenant`, `rules` (the order before layers existed).
   */
  precedence: z.array(z.string()).optional(),
  flags: z.array(SnapshotFlag),
  segments: z.array(SnapshotSegment),
  /** The workspace's end-user roles; absent in snapshots written before roles existed (no hierarchy). */
  roles: z.array(SnapshotRole).optional(),
  tenants: z.array(SnapshotTenant),
  /**
   * Always empty from the API: identities' traits are read per key (`GET
   * /v1/identities/:key/traits`). Kept so older SDKs still accept the snapshot; a bootstrap
   * snapshot may still list identities, and the evaluator uses them.
   */
  identities: z.array(SnapshotIdentity),
});
export type EnvironmentSnapshot = z.infer<typeof EnvironmentSnapshot>;
