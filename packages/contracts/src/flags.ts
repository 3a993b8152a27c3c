import { z } from "zod";
import { Description, FlagKey, Key, Name, PageQuery, QueryBoolean, SortOrder, pageOf } from "./common";
import { FlagType, KeyList, LIMITS, Rule, RuleBody, Serve, Variant, VariantKey } from "./targeting";
import { WorkspaceParams } from "./workspaces";

export const FLAG_LIFECYCLES = ["temporary", "permanent"] as const;
export const FlagLifecycle = z.enum(FLAG_LIFECYCLES);
export type FlagLifecycle = z.infer<typeof FlagLifecycle>;

export const Tag = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/, "tags use letters, digits, '_', '.', ':', '/', '-' (max 64)");
export const Tags = z.array(Tag).max(50);
export const Owner = z.string().trim().min(1).max(200);
/** Where tenants send feedback about a beta feature: an http(s) URL. */
export const FeedbackUrl = z
  .string()
  .trim()
  .max(2_000)
  .url()
  .refine((url) => /^https?:\/\//i.test(url), "must be an http or https URL");
export const Variants = z.array(Variant).min(1).max(LIMITS.variantsPerFlag);

/**
 * How a flag is doing in one environment, as the flags table colours it:
 * - `off`: disabled, or enabled but serving the off variant to everyone (nothing targets);
 * - `on`: enabled, nothing targets, and the fallthrough serves one variant other than the off variant;
 * - `partial`: enabled with rules, a split fallthrough, an allow or deny list, or unexpired overrides.
 */
export const FLAG_STATUSES = ["on", "off", "partial"] as const;
export const FlagStatus = z.enum(FLAG_STATUSES);
export type FlagStatus = z.infer<typeof FlagStatus>;

/** The state every environment starts with; disabled and serving the off variant when absent. */
export const InitialFlagState = z
  .object({
    enabled: z.boolean().default(false),
    /** The fallthrough variant; the flag's off variant when absent. */
    variant: VariantKey.optional(),
  })
  .strict();

export const CreateFlagBody = z
  .object({
    key: FlagKey,
    name: Name,
    description: Description.optional(),
    /** The key of an existing module. */
    module: Key.nullish(),
    /** `boolean` when absent. */
    type: FlagType.default("boolean"),
    /** Required for non-boolean flags; boolean flags default to `on` = true and `off` = false. */
    variants: Variants.optional(),
    offVariant: VariantKey.optional(),
    onVariant: VariantKey.optional(),
    tags: Tags.optional(),
    isBeta: z.boolean().optional(),
    /** Whether tenant admins may switch it for their own tenant; `false` when absent. */
    tenantManageable: z.boolean().optional(),
    feedbackUrl: FeedbackUrl.nullish(),
    /** Keys of prerequisite flags, which must exist; cycles are refused. */
    dependsOn: z.array(FlagKey).max(50).optional(),
    lifecycle: FlagLifecycle.optional(),
    owner: Owner.nullish(),
    /** Whether evaluations are counted in the flag's statistics; `true` when absent. */
    trackAnalytics: z.boolean().optional(),
    initialState: InitialFlagState.optional(),
  })
  .strict();
export type CreateFlagBody = z.infer<typeof CreateFlagBody>;

/** Missing fields stay as they are; `null` clears `module` and `owner`. `key` and `type` cannot change. */
export const UpdateFlagBody = z
  .object({
    /** Accepted only when equal to the current key: keys are immutable. */
    key: FlagKey.optional(),
    /** Accepted only when equal to the current type. */
    type: FlagType.optional(),
    name: Name.optional(),
    description: Description.optional(),
    module: Key.nullish(),
    variants: Variants.optional(),
    offVariant: VariantKey.optional(),
    onVariant: VariantKey.optional(),
    tags: Tags.optional(),
    isBeta: z.boolean().optional(),
    tenantManageable: z.boolean().optional(),
    /** `null` clears it. */
    feedbackUrl: FeedbackUrl.nullish(),
    dependsOn: z.array(FlagKey).max(50).optional(),
    lifecycle: FlagLifecycle.optional(),
    owner: Owner.nullish(),
    trackAnalytics: z.boolean().optional(),
  })
  .strict();
export type UpdateFlagBody = z.infer<typeof UpdateFlagBody>;

export const Rollout = z.object({
  /** "on", "off", "30% on", "3 rules", ... */
  summary: z.string(),
  /** Share of the fallthrough that gets the on variant, 0-100; null when the fallthrough serves neither on nor off. */
  percentage: z.number().nullable(),
});
export type Rollout = z.infer<typeof Rollout>;

export const FlagStateSummary = z.object({
  environment: Key,
  enabled: z.boolean(),
  status: FlagStatus,
  rollout: Rollout,
  ruleCount: z.number().int(),
  /** Unexpired tenant overrides. */
  overrideCount: z.number().int(),
  userOverrideCount: z.number().int(),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type FlagStateSummary = z.infer<typeof FlagStateSummary>;

export const FlagStateResponse = z.object({
  flag: FlagKey,
  environment: Key,
  enabled: z.boolean(),
  fallthrough: Serve,
  tenantAllow: z.array(Key),
  tenantDeny: z.array(Key),
  rules: z.array(Rule),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type FlagStateResponse = z.infer<typeof FlagStateResponse>;

export const FlagResponse = z.object({
  id: z.string(),
  key: FlagKey,
  name: z.string(),
  description: z.string(),
  module: Key.nullable(),
  type: FlagType,
  variants: z.array(Variant),
  offVariant: VariantKey,
  onVariant: VariantKey,
  tags: z.array(z.string()),
  isBeta: z.boolean(),
  /** Whether tenant admins may switch it for their own tenant. */
  tenantManageable: z.boolean(),
  feedbackUrl: z.string().nullable(),
  dependsOn: z.array(FlagKey),
  lifecycle: FlagLifecycle,
  owner: z.string().nullable(),
  /** Whether evaluations are counted in the flag's statistics. */
  trackAnalytics: z.boolean(),
  deprecatedAt: z.string().nullable(),
  archivedAt: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Every environment's summary, or only the requested one's. */
  environments: z.array(FlagStateSummary),
  /** The full state of the environment asked for with `?env=`. */
  state: FlagStateResponse.optional(),
});
export type FlagResponse = z.infer<typeof FlagResponse>;

export const FlagParams = WorkspaceParams.extend({ key: FlagKey });
export const FlagEnvParams = FlagParams.extend({ env: Key });
export const RuleParams = FlagEnvParams.extend({ ruleId: z.uuid() });

export const GetFlagQuery = z.object({ env: Key.optional() }).strict();

/**
 * The columns the flags list sorts by, on the server. `status`, `rollout` and `rules` are the
 * flag's state in `env`, which they need.
 */
export const FLAG_SORTS = ["key", "name", "createdAt", "updatedAt", "type", "module", "status", "rollout", "rules"] as const;
export type FlagSort = (typeof FLAG_SORTS)[number];
/** The sorts that read the flag's state in one environment. */
export const FLAG_STATE_SORTS: readonly FlagSort[] = ["status", "rollout", "rules"];

export const ListFlagsQuery = PageQuery.extend({
  sort: z.enum(FLAG_SORTS).default("key"),
  order: SortOrder.default("asc"),
  /** Case-insensitive substring of the key or the name. */
  search: z.string().trim().max(200).optional(),
  module: Key.optional(),
  tag: Tag.optional(),
  type: FlagType.optional(),
  /** The environment whose state rows summarise and `state` filters; every environment when absent. */
  env: Key.optional(),
  /** Needs `env`. */
  state: FlagStatus.optional(),
  beta: QueryBoolean.optional(),
  deprecated: QueryBoolean.optional(),
  /** `false` (default) hides archived flags, `true` shows only them. */
  archived: QueryBoolean.default(false),
}).strict();
export type ListFlagsQuery = z.infer<typeof ListFlagsQuery>;

export const FlagListItem = FlagResponse.omit({ state: true, variants: true });
export type FlagListItem = z.infer<typeof FlagListItem>;

export const FlagList = pageOf(FlagListItem);
export type FlagList = z.infer<typeof FlagList>;

export const UpdateFlagStateBody = z
  .object({
    enabled: z.boolean().optional(),
    fallthrough: Serve.optional(),
    tenantAllow: KeyList.optional(),
    tenantDeny: KeyList.optional(),
  })
  .strict();
export type UpdateFlagStateBody = z.infer<typeof UpdateFlagStateBody>;

export const ToggleFlagBody = z.object({ enabled: z.boolean() }).strict();
export type ToggleFlagBody = z.infer<typeof ToggleFlagBody>;

export const CreateRuleBody = RuleBody.extend({
  /** 0-based place among the rules; appended when absent. */
  position: z.number().int().min(0).max(LIMITS.rulesPerFlag).optional(),
}).strict();
export type CreateRuleBody = z.infer<typeof CreateRuleBody>;

/** Missing fields stay; `name: null` clears the name. */
export const UpdateRuleBody = z
  .object({
    name: z.string().max(200).nullish(),
    conditions: RuleBody.shape.conditions.optional(),
    serve: Serve.optional(),
  })
  .strict();
export type UpdateRuleBody = z.infer<typeof UpdateRuleBody>;

/** Exactly the current rule ids, in the new order. */
export const ReorderRulesBody = z.object({ ruleIds: z.array(z.uuid()).max(LIMITS.rulesPerFlag) }).strict();
export type ReorderRulesBody = z.infer<typeof ReorderRulesBody>;

/** Copies enabled, fallthrough, allow and deny lists and rules (with new ids) into `to`. */
export const CopyFlagStateBody = z.object({ from: Key, to: Key }).strict();
export type CopyFlagStateBody = z.infer<typeof CopyFlagStateBody>;

/** Deleting an archived flag for good: the caller types its key. */
export const DeleteFlagBody = z.object({ confirm: z.string().max(200) }).strict();
export type DeleteFlagBody = z.infer<typeof DeleteFlagBody>;
