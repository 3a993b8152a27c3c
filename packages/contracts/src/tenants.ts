import { z } from "zod";
import { FlagKey, Key, Name, PageQuery, SortOrder, pageOf } from "./common";
import { Reason } from "./evaluation";
import { FlagType, JsonValue, VariantKey } from "./targeting";

/** Bounds on a tenant's stored attributes: they travel in every environment snapshot. */
export const TENANT_ATTRIBUTE_LIMITS = {
  /** Top-level attributes. */
  keys: 100,
  /** Nesting of objects and arrays below the top level. */
  depth: 5,
  /** Serialized JSON, in characters. */
  size: 16_384,
} as const;

/** Attribute names: rules read them as `tenant.<name>`, so no dots (a dot walks into nested objects). */
export const TenantAttributeName = z
  .string()
  .regex(/^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$/, "attribute names use letters, digits, '_', '$', '-' (max 64) and start with a letter, '_' or '$'");

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === "object") return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

/** A tenant's attributes (plan, region, ...): a JSON object, bounded in keys, depth and size. */
export const TenantAttributes = z
  .record(TenantAttributeName, JsonValue)
  .superRefine((attributes, ctx) => {
    if (Object.keys(attributes).length > TENANT_ATTRIBUTE_LIMITS.keys) {
      ctx.addIssue({ code: "custom", message: `at most ${TENANT_ATTRIBUTE_LIMITS.keys} attributes` });
    }
    for (const [name, value] of Object.entries(attributes)) {
      if (depthOf(value) > TENANT_ATTRIBUTE_LIMITS.depth) {
        ctx.addIssue({ code: "custom", path: [name], message: `nests deeper than ${TENANT_ATTRIBUTE_LIMITS.depth} levels` });
      }
    }
    if (JSON.stringify(attributes).length > TENANT_ATTRIBUTE_LIMITS.size) {
      ctx.addIssue({ code: "custom", message: `attributes are limited to ${TENANT_ATTRIBUTE_LIMITS.size} characters of JSON` });
    }
  });
export type TenantAttributes = z.infer<typeof TenantAttributes>;

export const TenantParams = z.object({ workspace: z.string(), tenant: Key });
export const TenantModuleParams = TenantParams.extend({ module: Key });

export const CreateTenantBody = z
  .object({
    key: Key,
    name: Name,
    attributes: TenantAttributes.optional(),
    /** Module switches by module key; a module not named is on. */
    modules: z.record(Key, z.boolean()).optional(),
  })
  .strict();
export type CreateTenantBody = z.infer<typeof CreateTenantBody>;

/** PATCH: a missing field is unchanged; `attributes` replaces them all, `null` clears them. */
export const UpdateTenantBody = z
  .object({
    name: Name.optional(),
    attributes: TenantAttributes.nullable().optional(),
  })
  .strict();
export type UpdateTenantBody = z.infer<typeof UpdateTenantBody>;

export const SetTenantModuleBody = z.object({ enabled: z.boolean() }).strict();
export type SetTenantModuleBody = z.infer<typeof SetTenantModuleBody>;

export const TenantModuleState = z.object({
  key: Key,
  name: z.string(),
  /** Off means every flag of the module is off for this tenant and cannot be enabled there. */
  enabled: z.boolean(),
});
export type TenantModuleState = z.infer<typeof TenantModuleState>;

/** A flag's effective value for a tenant's context `{targetingKey: tenantKey, tenantKey}` in one environment. */
export const TenantFlagValue = z.object({
  value: JsonValue,
  variant: z.string().optional(),
  reason: Reason,
  /** Which step decided: `TENANT_OVERRIDE`, `MODULE_DISABLED`, `FALLTHROUGH`, `RULE:<id>`, ... */
  detail: z.string(),
  /** Boolean flags: the value is `true`; other types: a variant other than the off variant is served. */
  isOn: z.boolean(),
});
export type TenantFlagValue = z.infer<typeof TenantFlagValue>;

export const TenantResponse = z.object({
  id: z.string(),
  key: Key,
  name: z.string(),
  attributes: z.record(z.string(), JsonValue),
  modules: z.array(TenantModuleState),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** With `include=flags` or `flags=k1,k2` (and `env`): effective values by flag key. */
  flags: z.record(z.string(), TenantFlagValue).optional(),
});
export type TenantResponse = z.infer<typeof TenantResponse>;

export const TenantOverrideSummary = z.object({
  variant: z.string(),
  source: z.enum(["workspace_admin", "tenant_admin"]),
  locked: z.boolean(),
  expiresAt: z.string().nullable(),
  /** The evaluator ignores an expired override; a job sweeps it. */
  isExpired: z.boolean(),
  version: z.number().int(),
});
export type TenantOverrideSummary = z.infer<typeof TenantOverrideSummary>;

export const TenantDetailFlag = TenantFlagValue.extend({
  key: FlagKey,
  name: z.string(),
  /** What the flag is for: the help text next to its switch. */
  description: z.string(),
  type: FlagType,
  /** The keys of the flag's variants, which an override may serve. */
  variants: z.array(VariantKey),
  onVariant: VariantKey,
  offVariant: VariantKey,
  module: z.string().nullable(),
  /** The tenant's override of this flag in the environment, expired or not. */
  override: TenantOverrideSummary.nullable(),
});
export type TenantDetailFlag = z.infer<typeof TenantDetailFlag>;

export const TenantDetailResponse = TenantResponse.extend({
  /** The environment `flags` were evaluated in. */
  environment: Key,
  flagValues: z.array(TenantDetailFlag),
});
export type TenantDetailResponse = z.infer<typeof TenantDetailResponse>;

/** `GET .../tenants/:tenant`: `env` defaults to `production` (or the first environment when there is none). */
export const TenantDetailQuery = z.object({ env: Key.optional() });
export type TenantDetailQuery = z.infer<typeof TenantDetailQuery>;

export const TENANT_SORTS = ["key", "name", "createdAt", "updatedAt"] as const;
export const OnOff = z.enum(["on", "off"]);

const CommaKeys = z
  .string()
  .max(4_000)
  .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(FlagKey).max(50, "at most 50 flags"));

const MAX_ATTRIBUTE_FILTERS = 20;
const ATTRIBUTE_FILTER = /^attr\.([A-Za-z_$][A-Za-z0-9_$-]{0,63})$/;

/** One `attr.<name>=<v1>,<v2>` filter: the attribute equals any of the values. */
export interface AttributeFilter {
  name: string;
  values: string[];
}

/** Rows per page with `include=flags` when `pageSize` is not given: each row carries every flag's value. */
export const TENANT_FLAGS_PAGE_SIZE = 10;
const DEFAULT_PAGE_SIZE = 50;

const ListTenantsParams = PageQuery.extend({
  /** 50 by default; 10 with `include=flags`. */
  pageSize: PageQuery.shape.pageSize.unwrap().optional(),
  sort: z.enum(TENANT_SORTS).default("name"),
  order: SortOrder.default("asc"),
  /** Part of the key or name, case-insensitive. */
  search: z.string().trim().max(200).optional(),
  /** With `moduleState`: tenants whose module is on or off. */
  module: Key.optional(),
  moduleState: OnOff.optional(),
  /** With `env` and `flagState`: tenants for whom the flag's effective value is on or off. */
  flag: FlagKey.optional(),
  flagState: OnOff.optional(),
  /** The environment of `flag`, `flags` and `include=flags`. */
  env: Key.optional(),
  /** Effective values of these flags in each row. */
  flags: CommaKeys.optional(),
  /** `flags`: every flag's effective value in each row. */
  include: z.enum(["flags"]).optional(),
});
type ListTenantsParams = z.output<typeof ListTenantsParams>;
const KNOWN_LIST_PARAMS = ListTenantsParams.shape;

/**
 * `GET .../tenants`. Besides the named parameters, `attr.<name>=<value>` filters by a stored
 * attribute (`attr.plan=pro`; `attr.plan=pro,premium` matches either; numbers and booleans
 * match their JSON value too). Any other parameter is refused.
 */
export const ListTenantsQuery = ListTenantsParams.catchall(z.string().max(1_000))
  .superRefine((query, ctx) => {
    const extra = Object.keys(query).filter((name) => !(name in KNOWN_LIST_PARAMS));
    for (const name of extra) {
      if (!ATTRIBUTE_FILTER.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "unknown parameter; filter attributes with attr.<name>=<value>" });
    }
    if (extra.length > MAX_ATTRIBUTE_FILTERS) ctx.addIssue({ code: "custom", path: [], message: `at most ${MAX_ATTRIBUTE_FILTERS} attribute filters` });
    if (query.flag !== undefined && query.flagState === undefined) ctx.addIssue({ code: "custom", path: ["flagState"], message: "say 'on' or 'off' with flag" });
    if (query.flagState !== undefined && query.flag === undefined) ctx.addIssue({ code: "custom", path: ["flag"], message: "name the flag whose state filters" });
    if ((query.flag !== undefined || query.flags !== undefined || query.include === "flags") && query.env === undefined) {
      ctx.addIssue({ code: "custom", path: ["env"], message: "name the environment the flags are evaluated in" });
    }
    if (query.module !== undefined && query.moduleState === undefined) ctx.addIssue({ code: "custom", path: ["moduleState"], message: "say 'on' or 'off' with module" });
    if (query.moduleState !== undefined && query.module === undefined) ctx.addIssue({ code: "custom", path: ["module"], message: "name the module whose state filters" });
  })
  .transform((query) => {
    const known: Record<string, unknown> = {};
    const attributes: AttributeFilter[] = [];
    for (const [name, value] of Object.entries(query)) {
      const match = ATTRIBUTE_FILTER.exec(name);
      if (name in KNOWN_LIST_PARAMS || !match) known[name] = value;
      else attributes.push({ name: match[1]!, values: String(value).split(",").map((v) => v.trim()).filter(Boolean) });
    }
    const params = known as ListTenantsParams;
    const pageSize = params.pageSize ?? (params.include === "flags" ? TENANT_FLAGS_PAGE_SIZE : DEFAULT_PAGE_SIZE);
    return { ...params, pageSize, attributes };
  });
export type ListTenantsQuery = z.output<typeof ListTenantsQuery>;

export const TenantListResponse = pageOf(TenantResponse);
export type TenantListResponse = z.infer<typeof TenantListResponse>;
