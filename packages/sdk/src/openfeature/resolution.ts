import type { EvaluationContext, FlagDetails } from "../types";

/** OpenFeature's error codes are ours by name: the SDKs' `ErrorCode` enum values are these strings. */
export type OpenFeatureErrorCode = "FLAG_NOT_FOUND" | "PARSE_ERROR" | "TYPE_MISMATCH" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT" | "GENERAL" | "PROVIDER_NOT_READY";

/**
 * An OpenFeature resolution from an Ensign result; `detail` travels as flag metadata. A split that
 * found no key to bucket by (Ensign serves the off variant) is OpenFeature's `TARGETING_KEY_MISSING`,
 * as Ensign's OFREP endpoints answer it: the OpenFeature client then returns the caller's default.
 */
export function toResolution<T>(details: FlagDetails<T>) {
  return {
    value: details.value,
    variant: details.variant,
    reason: details.reason,
    errorCode: (details.errorCode ?? (details.detail === "FALLTHROUGH:NO_BUCKET_KEY" ? "TARGETING_KEY_MISSING" : undefined)) as OpenFeatureErrorCode | undefined,
    errorMessage: details.errorMessage,
    flagMetadata: details.detail ? { detail: details.detail } : {},
  };
}

/** OpenFeature contexts may hold Dates; Ensign's attributes are JSON. */
export function toEnsignContext(context: Record<string, unknown> | undefined): EvaluationContext {
  const result: EvaluationContext = {};
  for (const [name, value] of Object.entries(context ?? {})) result[name] = value instanceof Date ? value.toISOString() : value;
  return result;
}
