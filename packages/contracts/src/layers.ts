import { z } from "zod";
import { Description, FlagKey, IsoDateTime, Key, Name } from "./common";
import { BUILT_IN_LAYERS } from "./snapshot";
import { VariantKey } from "./targeting";
import { WorkspaceSlug } from "./workspaces";

/**
 * Override layers: a workspace's own override dimensions beyond user and tenant, such as
 * `platform` with the values meta, google, tiktok. Each is a context attribute with its known
 * values; per flag and environment an override can be set for each value, and the layer has a
 * place in the workspace's override order.
 */
export const LAYER_KEY_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
export const MAX_LAYERS = 20;
export const MAX_LAYER_VALUES = 200;

export const LayerKey = z
  .string()
  .regex(LAYER_KEY_PATTERN, "must start with a lowercase letter and contain only a-z, 0-9 and '_' (max 63)")
  .refine((key) => !(BUILT_IN_LAYERS as readonly string[]).includes(key), "user, tenant and rules are the built-in steps of the order");

/** A context attribute: names joined by dots for nested objects; never the built-in keys. */
export const LayerAttribute = z
  .string()
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, "must be an attribute name (letters, digits, '_', dots between names)")
  .refine((name) => name !== "targetingKey" && name !== "tenantKey", "targetingKey and tenantKey are the user and tenant layers")
  .refine((name) => !name.startsWith("tenant."), "tenant.<name> reads stored tenant attributes, not the context");

export const LayerValue = Key;

const LayerValues = z
  .array(LayerValue)
  .min(1)
  .max(MAX_LAYER_VALUES)
  .refine((values) => new Set(values).size === values.length, "values must be unique");

export const LayerParams = z.object({ workspace: WorkspaceSlug, layer: LayerKey });
export type LayerParams = z.infer<typeof LayerParams>;

export const CreateLayerBody = z
  .object({
    key: LayerKey,
    name: Name,
    description: Description.optional(),
    /** The context attribute; the key when absent. */
    attribute: LayerAttribute.optional(),
    values: LayerValues,
  })
  .strict();
export type CreateLayerBody = z.infer<typeof CreateLayerBody>;

/** Missing fields stay. A value that still has overrides cannot be removed. The key never changes. */
export const UpdateLayerBody = z
  .object({ name: Name.optional(), description: Description.nullable().optional(), attribute: LayerAttribute.optional(), values: LayerValues.optional() })
  .strict();
export type UpdateLayerBody = z.infer<typeof UpdateLayerBody>;

export const LayerResponse = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  attribute: z.string(),
  values: z.array(z.string()),
  /** Overrides of the layer across flags and environments, expired ones included. */
  overrideCount: z.number().int(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LayerResponse = z.infer<typeof LayerResponse>;

/** The order steps are tried in, first that decides wins: `user`, `tenant`, `rules` and each layer's key. */
export const OverrideOrder = z.array(z.string().min(1).max(63)).max(MAX_LAYERS + BUILT_IN_LAYERS.length);

export const LayerListResponse = z.object({
  items: z.array(LayerResponse),
  order: OverrideOrder,
  /** Whether the order is the default one (user, the layers as made, tenant, rules). */
  isDefaultOrder: z.boolean(),
});
export type LayerListResponse = z.infer<typeof LayerListResponse>;

export const SetOverrideOrderBody = z.object({ order: OverrideOrder }).strict();
export type SetOverrideOrderBody = z.infer<typeof SetOverrideOrderBody>;

export const OverrideOrderResponse = z.object({ order: OverrideOrder, isDefaultOrder: z.boolean() });
export type OverrideOrderResponse = z.infer<typeof OverrideOrderResponse>;

export const FlagLayerParams = z.object({ workspace: z.string(), key: FlagKey, env: Key, layer: LayerKey });
export const LayerOverrideParams = FlagLayerParams.extend({ value: LayerValue });
export type LayerOverrideParams = z.infer<typeof LayerOverrideParams>;

/** `PUT .../flags/:key/environments/:env/layer-overrides/:layer/:value`. */
export const SetLayerOverrideBody = z
  .object({
    variant: VariantKey,
    /** A locked override wins over every other override and rule; locking needs `overrides:lock`. Absent keeps the current lock. */
    locked: z.boolean().optional(),
    /** In the future; `null` or absent: never expires. */
    expiresAt: IsoDateTime.nullable().optional(),
  })
  .strict();
export type SetLayerOverrideBody = z.infer<typeof SetLayerOverrideBody>;

export const LayerOverrideResponse = z.object({
  id: z.string(),
  flag: FlagKey,
  environment: Key,
  layer: z.string(),
  value: z.string(),
  variant: z.string(),
  locked: z.boolean(),
  expiresAt: z.string().nullable(),
  isExpired: z.boolean(),
  updatedBy: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LayerOverrideResponse = z.infer<typeof LayerOverrideResponse>;

/** Every override of one layer for a flag in an environment, in the layer's value order. */
export const LayerOverrideListResponse = z.object({ items: z.array(LayerOverrideResponse) });
export type LayerOverrideListResponse = z.infer<typeof LayerOverrideListResponse>;
