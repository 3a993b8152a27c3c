import { z } from "zod";
import { JsonValue } from "./targeting";

/** OpenFeature resolution reasons. */
export const REASONS = ["STATIC", "TARGETING_MATCH", "SPLIT", "DEFAULT", "DISABLED", "ERROR"] as const;
export const Reason = z.enum(REASONS);
export type Reason = z.infer<typeof Reason>;

/** OpenFeature error codes. */
export const EVALUATION_ERROR_CODES = [
  "FLAG_NOT_FOUND",
  "PARSE_ERROR",
  "TYPE_MISMATCH",
  "TARGETING_KEY_MISSING",
  "INVALID_CONTEXT",
  "GENERAL",
] as const;
export const EvaluationErrorCode = z.enum(EVALUATION_ERROR_CODES);
export type EvaluationErrorCode = z.infer<typeof EvaluationErrorCode>;

/**
 * The source that decided a result, more precise than the reason:
 * `USER_OVERRIDE`, `LAYER_OVERRIDE:<layer>` and `LAYER_OVERRIDE_LOCKED:<layer>` (an override of one
 * of the workspace's override layers, e.g. `LAYER_OVERRIDE:platform`), `TENANT_DENY`,
 * `TENANT_OVERRIDE_LOCKED`, `TENANT_ALLOW`, `TENANT_OVERRIDE`,
 * `RULE:<id>`, `FALLTHROUGH`, `FALLTHROUGH:NO_BUCKET_KEY` (a split whose bucketBy attribute is missing
 * from the context serves the off variant), `MASTER_SWITCH` (the environment's master switch is
 * on: every flag serves its off variant), `MODULE_DISABLED`, `FLAG_DISABLED`,
 * `PREREQUISITE_FAILED:<key>`, or, with reason ERROR, the error code.
 */
export type Detail = string;

/** What a caller says about the subject of an evaluation. */
export const EvaluationContext = z
  .object({
    targetingKey: z.string().max(256).optional(),
    tenantKey: z.string().max(256).optional(),
    role: z.string().max(256).optional(),
  })
  .catchall(JsonValue);
export type EvaluationContext = { targetingKey?: string; tenantKey?: string; role?: string; [attribute: string]: unknown };

export const TraceStep = z.object({
  step: z.string(),
  outcome: z.enum(["matched", "skipped", "passed", "failed", "error"]),
  message: z.string(),
});
export type TraceStep = z.infer<typeof TraceStep>;

export const EvaluationResult = z.object({
  key: z.string(),
  value: JsonValue,
  variant: z.string().optional(),
  reason: Reason,
  detail: z.string(),
  ruleId: z.string().optional(),
  errorCode: EvaluationErrorCode.optional(),
  errorMessage: z.string().optional(),
  trace: z.array(TraceStep).optional(),
});
export type EvaluationResult = z.infer<typeof EvaluationResult>;
