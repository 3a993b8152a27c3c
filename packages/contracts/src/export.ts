import { z } from "zod";
import { FlagKey, IsoDateTime, Key, Name } from "./common";
import { Color, ExposedHeaders } from "./environments";
import { Traits } from "./identities";
import { LayerAttribute, LayerKey, LayerValue, MAX_LAYER_VALUES, MAX_LAYERS } from "./layers";
import { SegmentRules } from "./segments";
import { FlagType, JsonValue, KeyList, LIMITS, RuleBody, Serve, Variant, VariantKey } from "./targeting";

/**
 * A whole workspace as one JSON document, for backups and for moving a workspace between
 * Ensign installations. It never holds secrets: no API keys, no context signing secrets, no
 * users or passwords, no audit log. Records refer to each other by key; ids are not kept.
 */
export const EXPORT_FORMAT = "ensign.workspace";
export const EXPORT_FORMAT_VERSION = 1;

const Text = z.string().max(5_000);
const When = IsoDateTime.nullable();

export const ExportEnvironment = z.object({
  key: Key,
  name: Name,
  color: Color.nullable(),
  sortOrder: z.number().int().min(0).max(10_000),
  contextIssuer: z.string().max(500).nullable(),
  contextJwksUrl: z.string().max(2_000).nullable(),
  /** Absent in documents exported before the setting existed: not required. */
  requireContextToken: z.boolean().default(true),
  /**
   * Absent in documents exported before the setting existed: an environment created by the import
   * is production when its key is `production`; an existing one keeps its setting.
   */
  isProduction: z.boolean().optional(),
  /** Absent in documents exported before the setting existed: an existing environment keeps its list, a new one exposes none. */
  exposedHeaders: ExposedHeaders.optional(),
});

export const ExportModule = z.object({
  key: Key,
  name: Name,
  description: Text,
  keyPrefix: z.string().max(32).nullable().default(null),
  tenantManageable: z.boolean().default(false),
});

/** A flag's state in one environment; rules in evaluation order. */
export const ExportFlagState = z.object({
  enabled: z.boolean(),
  fallthrough: Serve,
  tenantAllow: KeyList,
  tenantDeny: KeyList,
  rules: z.array(RuleBody).max(LIMITS.rulesPerFlag),
});
export type ExportFlagState = z.infer<typeof ExportFlagState>;

export const ExportSchedule = z.object({
  runAt: IsoDateTime,
  /** As the flag's schedule API defines it: `{ type: "enable" | "disable" | "set_rollout", ... }`. */
  action: z.record(z.string(), JsonValue),
  /** Schedules of one ramp share a ramp name; a new ramp id is made on import. */
  ramp: z.string().max(64).nullable(),
  createdBy: z.string().max(254).nullable(),
});

export const ExportFlag = z.object({
  key: FlagKey,
  name: Name,
  description: Text,
  module: Key.nullable(),
  type: FlagType,
  variants: z.array(Variant).min(1).max(LIMITS.variantsPerFlag),
  offVariant: VariantKey,
  onVariant: VariantKey,
  /** Kept so percentage splits put every context in the same bucket after an import. */
  salt: z.string().min(1).max(64),
  tags: z.array(z.string().max(64)).max(50),
  isBeta: z.boolean(),
  /** Absent in documents from before tenant-manageable flags, whose flags were all manageable. */
  tenantManageable: z.boolean().default(true),
  /** Absent in documents from before the option: counted. */
  trackAnalytics: z.boolean().default(true),
  feedbackUrl: z.string().max(2_000).nullable().default(null),
  dependsOn: z.array(FlagKey).max(50),
  lifecycle: z.enum(["temporary", "permanent"]),
  owner: z.string().max(200).nullable(),
  deprecatedAt: When,
  archivedAt: When,
  /** Keyed by environment key: every environment of the document has one. */
  states: z.record(Key, ExportFlagState),
  /** Pending schedules, keyed by environment key. */
  schedules: z.record(Key, z.array(ExportSchedule).max(500)).default({}),
});
export type ExportFlag = z.infer<typeof ExportFlag>;

export const ExportSegment = z.object({
  key: Key,
  name: Name,
  description: Text,
  includedUsers: KeyList,
  excludedUsers: KeyList,
  includedTenants: KeyList,
  excludedTenants: KeyList,
  rules: SegmentRules,
});

export const ExportTenant = z.object({
  key: Key,
  name: Name,
  attributes: z.record(z.string(), JsonValue),
  /** Module switches by module key; a module not listed is on. */
  modules: z.record(Key, z.boolean()),
});

export const ExportTenantOverride = z.object({
  flag: FlagKey,
  environment: Key,
  tenant: Key,
  variant: VariantKey,
  source: z.enum(["workspace_admin", "tenant_admin"]),
  locked: z.boolean(),
  expiresAt: When,
  updatedBy: z.string().max(254).nullable(),
});

export const ExportUserOverride = z.object({
  flag: FlagKey,
  environment: Key,
  userKey: Key,
  variant: VariantKey,
  expiresAt: When,
  updatedBy: z.string().max(254).nullable(),
});

/** An override layer (a workspace's own dimension, e.g. platform) and its known values. */
export const ExportLayer = z.object({
  key: LayerKey,
  name: Name,
  description: Text,
  attribute: LayerAttribute,
  values: z.array(LayerValue).max(MAX_LAYER_VALUES),
});

export const ExportLayerOverride = z.object({
  flag: FlagKey,
  environment: Key,
  layer: LayerKey,
  value: LayerValue,
  variant: VariantKey,
  locked: z.boolean(),
  expiresAt: When,
  updatedBy: z.string().max(254).nullable(),
});

export const ExportIdentity = z.object({ environment: Key, key: Key, traits: Traits });

export const WorkspaceExport = z.object({
  format: z.literal(EXPORT_FORMAT),
  formatVersion: z.literal(EXPORT_FORMAT_VERSION),
  exportedAt: IsoDateTime,
  workspace: z.object({ slug: z.string().max(63), name: Name }),
  environments: z.array(ExportEnvironment).min(1).max(50),
  modules: z.array(ExportModule).max(1_000),
  flags: z.array(ExportFlag).max(20_000),
  segments: z.array(ExportSegment).max(10_000),
  tenants: z.array(ExportTenant).max(200_000),
  tenantOverrides: z.array(ExportTenantOverride),
  userOverrides: z.array(ExportUserOverride),
  identities: z.array(ExportIdentity),
  /** Absent in documents from before override layers: none. Listed in the order they were made. */
  overrideLayers: z.array(ExportLayer).max(MAX_LAYERS).default([]),
  /** The stored override order; empty for the default (user, the layers, tenant, rules). */
  overrideOrder: z.array(z.string().max(63)).max(MAX_LAYERS + 3).default([]),
  layerOverrides: z.array(ExportLayerOverride).default([]),
});
export type WorkspaceExport = z.infer<typeof WorkspaceExport>;

export const IMPORT_MODES = ["empty-only"] as const;

/** `empty-only`: the target workspace must have no flags, modules, segments, tenants or identities yet. */
export const ImportBody = z.object({ document: WorkspaceExport, mode: z.enum(IMPORT_MODES) }).strict();
export type ImportBody = z.infer<typeof ImportBody>;

export const ImportSummary = z.object({
  environments: z.object({ created: z.number().int(), updated: z.number().int() }),
  modules: z.number().int(),
  flags: z.number().int(),
  flagStates: z.number().int(),
  rules: z.number().int(),
  schedules: z.number().int(),
  segments: z.number().int(),
  tenants: z.number().int(),
  tenantModules: z.number().int(),
  tenantOverrides: z.number().int(),
  userOverrides: z.number().int(),
  identities: z.number().int(),
  overrideLayers: z.number().int(),
  layerOverrides: z.number().int(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

export const ImportResponse = z.object({ summary: ImportSummary });
export type ImportResponse = z.infer<typeof ImportResponse>;
