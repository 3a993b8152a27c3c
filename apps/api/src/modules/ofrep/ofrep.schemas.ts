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

function serializeSuccessResult(result: EvaluationResult, detail: string): string {
  const variant = result.variant === undefined ? "" : `,"variant":${JSON.stringify(result.variant)}`;
  return `{"key":${JSON.stringify(result.key)},"value":${JSON.stringify(result.value)},"reason":"${result.reason}"${variant},"metadata":{"detail":${JSON.stringify(detail)}}}`;
}

/** Who reads an answer: public (client) keys do not see internal ids such as a rule's. */
export type Audience = "client" | "server";

/** A result's detail as `audience` may see it: `RULE:<id>` becomes `RULE` for client keys. */
export function detailFor(detail: string, audience: Audience): string {
  return audience === "client" && detail.startsWith("RULE:") ? "RULE" : detail;
}

/**
 * The OFREP error code of a result: its own, or `TARGETING_KEY_MISSING` when the answer needed a
 * key to split by that the context lacks (the evaluator serves the off variant then; OpenFeature
 * providers expect the error, and answer the caller's default).
 */
export function ofrepErrorCode(result: EvaluationResult): string | undefined {
  if (result.errorCode !== undefined) return result.errorCode;
  return result.detail === NO_BUCKET_KEY ? "TARGETING_KEY_MISSING" : undefined;
}

const NO_BUCKET_KEY = "FALLTHROUGH:NO_BUCKET_KEY";

/**
 * An evaluation result straight to OFREP's JSON, without building the intermediate object: the
 * single-flag hot path. Strings go through JSON.stringify (native escaping); the value is any JSON.
 * A success with a primitive value is an outcome the flag serves again and again (its variants
 * under its rules): its JSON is made once and then found by flag, detail, variant, reason and
 * value — everything it is made of — so a changed flag never reuses an old answer.
 */
export function serializeResult(result: EvaluationResult, audience: Audience = "server"): string {
  if (result.errorCode !== undefined) {
    return `{"key":${JSON.stringify(result.key)},"errorCode":"${result.errorCode}","errorDetails":${JSON.stringify(result.errorMessage ?? "")}}`;
  }
  if (result.detail === NO_BUCKET_KEY) {
    return `{"key":${JSON.stringify(result.key)},"errorCode":"TARGETING_KEY_MISSING","errorDetails":"The flag splits by a context attribute that the context lacks."}`;
  }
  const { value, variant, reason } = result;
  const detail = detailFor(result.detail, audience);
  if (typeof value === "object" && value !== null) return serializeSuccessResult(result, detail);
  let byDetail = servedOutcomes.get(result.key);
  let outcomes = byDetail?.get(detail);
  if (outcomes) {
    for (const outcome of outcomes) if (outcome.value === value && outcome.reason === reason && outcome.variant === variant) return outcome.json;
  }
  const json = serializeSuccessResult(result, detail);
  if (!byDetail) {
    if (servedOutcomes.size >= FLAGS_KEPT) servedOutcomes.clear();
    servedOutcomes.set(result.key, (byDetail = new Map()));
  }
  if (!outcomes) {
    if (byDetail.size >= DETAILS_PER_FLAG) byDetail.delete(byDetail.keys().next().value!);
    byDetail.set(detail, (outcomes = []));
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
export function serializeBulk(results: EvaluationResult[], extra = "", audience: Audience = "server"): string {
  let body = '{"flags":[';
  for (let i = 0; i < results.length; i++) body += (i ? "," : "") + serializeResult(results[i]!, audience);
  return `${body}]${extra}}`;
}
