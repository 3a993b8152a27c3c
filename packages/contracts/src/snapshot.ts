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

export const SnapshotFlagState = z.object({
  enabled: z.boolean(),
  rules: z.array(Rule),
  fallthrough: Serve,
  tenantAllow: z.array(Key),
  tenantDeny: z.array(Key),
  tenantOverrides: z.array(SnapshotTenantOverride),
  userOverrides: z.array(SnapshotUserOverride),
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

export const SnapshotTenant = z.object({
  key: Key,
  attributes: z.record(z.string(), JsonValue),
  disabledModules: z.array(Key),
});
export type SnapshotTenant = z.infer<typeof SnapshotTenant>;

export const SnapshotIdentity = z.object({
  key: Key,
  traits: z.record(z.string(), JsonValue),
});
export type SnapshotIdentity = z.infer<typeof SnapshotIdentity>;

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
  flags: z.array(SnapshotFlag),
  segments: z.array(SnapshotSegment),
  tenants: z.array(SnapshotTenant),
  identities: z.array(SnapshotIdentity),
});
export type EnvironmentSnapshot = z.infer<typeof EnvironmentSnapshot>;
