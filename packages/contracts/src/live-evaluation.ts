import { z } from "zod";
import { FlagKey, Key } from "./common";
import { EvaluationContext, EvaluationResult } from "./evaluation";
import { UpdateFlagStateBody } from "./flags";
import { SnapshotLayerOverride } from "./snapshot";
import { JsonValue, LIMITS, RuleBody } from "./targeting";

/**
 * The admin's live evaluation and blast-radius routes:
 * `POST /v1/workspaces/:workspace/environments/:env/evaluate` and `.../impact`.
 */
export const LiveEvaluationParams = z.object({ workspace: z.string().min(1).max(64), env: Key });
export type LiveEvaluationParams = z.infer<typeof LiveEvaluationParams>;

/** One flag, or every flag that is not archived when `flag` is absent. */
export const LiveEvaluationBody = z.object({
  flag: FlagKey.optional(),
  context: EvaluationContext,
});
export type LiveEvaluationBody = z.infer<typeof LiveEvaluationBody>;

export const LiveEvaluationResult = EvaluationResult.extend({
  /** Server-side time of this flag's evaluation, in microseconds. */
  latencyMicros: z.number(),
});
export type LiveEvaluationResult = z.infer<typeof LiveEvaluationResult>;

export const LiveEvaluationResponse = z.object({
  environment: z.string(),
  /** The snapshot version evaluated against. */
  version: z.number().int(),
  /** Server-side time of the whole evaluation, in microseconds. */
  latencyMicros: z.number(),
  /** Each with its full `trace`. */
  results: z.array(LiveEvaluationResult),
});
export type LiveEvaluationResponse = z.infer<typeof LiveEvaluationResponse>;

/**
 * A proposed change to one flag's state in this environment: the flag-state PATCH body
 * (`enabled`, `fallthrough`, `tenantAllow`, `tenantDeny`; missing fields keep their current
 * value), plus optionally the whole proposed rule list, as the rule editor holds it before
 * saving (rules without an `id` are new), and the whole proposed list of layer overrides
 * (`[{ layer, value, variant, locked, expiresAt? }]`), as the layer tab holds it. Nothing is written.
 */
export const ImpactBody = z.object({
  flag: FlagKey,
  state: UpdateFlagStateBody.extend({
    rules: z.array(RuleBody.extend({ id: z.string().min(1).max(64).optional() })).max(LIMITS.rulesPerFlag).optional(),
    layerOverrides: z.array(SnapshotLayerOverride).max(4_000).optional(),
  }),
});
export type ImpactBody = z.infer<typeof ImpactBody>;

export const ImpactOutcome = z.object({
  value: JsonValue,
  variant: z.string().optional(),
  reason: z.string(),
  detail: z.string(),
});

export const ImpactChange = z.object({
  tenantKey: z.string(),
  /** The layer value the context carried, in a workspace with override layers (one context per tenant and value). */
  layer: z.object({ key: z.string(), value: z.string() }).optional(),
  before: ImpactOutcome,
  after: ImpactOutcome,
});
export type ImpactChange = z.infer<typeof ImpactChange>;

/**
 * The blast radius over every tenant of the workspace (context `{targetingKey: tenantKey, tenantKey}`),
 * and in a workspace with override layers also every tenant with each known value of each layer.
 */
export const ImpactResponse = z.object({
  flag: z.string(),
  environment: z.string(),
  version: z.number().int(),
  total: z.number().int(),
  turnedOn: z.number().int(),
  turnedOff: z.number().int(),
  changed: z.number().int(),
  /** The tenants whose value would change (at most `IMPACT_LIST_LIMIT`). */
  changes: z.array(ImpactChange),
  isTruncated: z.boolean(),
});
export type ImpactResponse = z.infer<typeof ImpactResponse>;

export const IMPACT_LIST_LIMIT = 5_000;
