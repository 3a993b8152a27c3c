import type { EvaluationResult } from "@ensign/contracts/evaluation";
import fastJson from "fast-json-stringify";

/**
 * OFREP's response shapes (open-feature/protocol `service/openapi.yaml`), as plain JSON Schema:
 * they document the routes and compile to fast-json-stringify serializers for the hot path.
 */
const metadata = { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } } as const;

/** OFREP's evaluationRequest: the body of single and bulk evaluation. */
export const evaluationRequest = {
  type: "object",
  description: "OFREP evaluationRequest. A signed context token in `X-Ensign-Context` replaces `context`.",
  properties: {
    context: {
      type: "object",
      description: "The evaluation context: `targetingKey`, `tenantKey`, `role` and any further attributes.",
      properties: { targetingKey: { type: "string", maxLength: 256 }, tenantKey: { type: "string", maxLength: 256 }, role: { type: "string", maxLength: 256 } },
      additionalProperties: true,
    },
  },
} as const;

export const evaluationSuccess = {
  type: "object",
  description: "OFREP evaluationSuccess",
  properties: {
    key: { type: "string" },
    value: {},
    reason: { type: "string" },
    variant: { type: "string" },
    metadata,
  },
  required: ["key", "value"],
} as const;

export const evaluationFailure = {
  type: "object",
  description: "OFREP evaluationFailure (400) and flagNotFound (404)",
  properties: {
    key: { type: "string" },
    errorCode: { type: "string" },
    errorDetails: { type: "string" },
    metadata,
  },
  required: ["key", "errorCode"],
} as const;

export const bulkEvaluationSuccess = {
  type: "object",
  description: "OFREP bulkEvaluationSuccess",
  properties: {
    flags: { type: "array", items: { anyOf: [evaluationSuccess, evaluationFailure] } },
    eventStreams: {
      type: "array",
      description: "Client keys: where OFREP web providers can listen for changes (Server-Sent Events) instead of polling.",
      items: { type: "object", properties: { type: { type: "string" }, url: { type: "string" }, inactivityDelaySec: { type: "integer" } } },
    },
    metadata,
  },
  required: ["flags"],
} as const;

export const bulkEvaluationFailure = {
  type: "object",
  description: "OFREP bulkEvaluationFailure",
  properties: { errorCode: { type: "string" }, errorDetails: { type: "string" } },
  required: ["errorCode"],
} as const;

export const generalErrorResponse = {
  type: "object",
  description: "OFREP generalErrorResponse",
  properties: { errorDetails: { type: "string" } },
} as const;

export const configurationResponse = {
  type: "object",
  description: "OFREP configurationResponse",
  properties: {
    name: { type: "string" },
    capabilities: {
      type: "object",
      properties: {
        cacheInvalidation: {
          type: "object",
          properties: {
            polling: { type: "object", properties: { enabled: { type: "boolean" }, minPollingIntervalMs: { type: "number" } } },
          },
        },
        flagEvaluation: { type: "object", properties: { supportedTypes: { type: "array", items: { type: "string" } } } },
      },
    },
  },
} as const;

export interface OfrepSuccess {
  key: string;
  value: unknown;
  reason: string;
  variant?: string;
  metadata?: Record<string, string | number | boolean>;
}

export interface OfrepFailure {
  key: string;
  errorCode: string;
  errorDetails?: string;
}

/** A served outcome's JSON: the same flag, detail, variant, reason and (primitive) value always serialize alike. */
interface ServedOutcome {
  variant: string | undefined;
  reason: string;
  value: unknown;
  json: string;
}

/** Outcomes kept per flag and detail, and details per flag (its rules, overrides, fallthrough); past them the oldest go. */
const OUTCOMES_PER_DETAIL = 8;
const DETAILS_PER_FLAG = 64;
/** Flags whose outcomes are kept; past it the memory starts afresh (flags come and go with snapshots). */
const FLAGS_KEPT = 10_000;
const servedOutcomes = new Map<string, Map<string, ServedOutcome[]>>();

function serializeSuccessResult(result: EvaluationResult): string {
  const variant = result.variant === undefined ? "" : `,"variant":${JSON.stringify(result.variant)}`;
  return `{"key":${JSON.stringify(result.key)},"value":${JSON.stringify(result.value)},"reason":"${result.reason}"${variant},"metadata":{"detail":${JSON.stringify(result.detail)}}}`;
}

/**
 * An evaluation result straight to OFREP's JSON, without building the intermediate object: the
 * single-flag hot path. Strings go through JSON.stringify (native escaping); the value is any JSON.
 * A success with a primitive value is an outcome the flag serves again and again (its variants
 * under its rules): its JSON is made once and then found by flag, detail, variant, reason and
 * value — everything it is made of — so a changed flag never reuses an old answer.
 */
export function serializeResult(result: EvaluationResult): string {
  if (result.errorCode !== undefined) {
    return `{"key":${JSON.stringify(result.key)},"errorCode":"${result.errorCode}","errorDetails":${JSON.stringify(result.errorMessage ?? "")}}`;
  }
  const { value, variant, reason } = result;
  if (typeof value === "object" && value !== null) return serializeSuccessResult(result);
  let byDetail = servedOutcomes.get(result.key);
  let outcomes = byDetail?.get(result.detail);
  if (outcomes) {
    for (const outcome of outcomes) if (outcome.value === value && outcome.reason === reason && outcome.variant === variant) return outcome.json;
  }
  const json = serializeSuccessResult(result);
  if (!byDetail) {
    if (servedOutcomes.size >= FLAGS_KEPT) servedOutcomes.clear();
    servedOutcomes.set(result.key, (byDetail = new Map()));
  }
  if (!outcomes) {
    if (byDetail.size >= DETAILS_PER_FLAG) byDetail.delete(byDetail.keys().next().value!);
    byDetail.set(result.detail, (outcomes = []));
  }
  if (outcomes.length >= OUTCOMES_PER_DETAIL) outcomes.shift();
  outcomes.push({ variant, reason, value, json });
  return json;
}

// A success item has `value`; a failure has `errorCode`: the item serializer picks by shape.
const serializeSuccess = fastJson(evaluationSuccess);
const serializeFailure = fastJson(evaluationFailure);

export function serializeItem(item: OfrepSuccess | OfrepFailure): string {
  return "errorCode" in item ? serializeFailure(item) : serializeSuccess(item);
}

/** The bulk body `{"flags":[...]}`, each result serialized in place; `extra` is more members, already serialized. */
export function serializeBulk(results: EvaluationResult[], extra = ""): string {
  let body = '{"flags":[';
  for (let i = 0; i < results.length; i++) body += (i ? "," : "") + serializeResult(results[i]!);
  return `${body}]${extra}}`;
}
