import fastJson from "fast-json-stringify";

/**
 * OFREP's response shapes (open-feature/protocol `service/openapi.yaml`), as plain JSON Schema:
 * they document the routes and compile to fast-json-stringify serializers for the hot path.
 */
const metadata = { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } } as const;

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

// A success item has `value`; a failure has `errorCode`: the item serializer picks by shape.
const serializeSuccess = fastJson(evaluationSuccess);
const serializeFailure = fastJson(evaluationFailure);

export function serializeItem(item: OfrepSuccess | OfrepFailure): string {
  return "errorCode" in item ? serializeFailure(item) : serializeSuccess(item);
}

/** The bulk body `{"flags":[...]}`, items serialized one by one (no anyOf probing per item). */
export function serializeBulk(items: (OfrepSuccess | OfrepFailure)[]): string {
  let body = '{"flags":[';
  for (let i = 0; i < items.length; i++) body += (i ? "," : "") + serializeItem(items[i]!);
  return `${body}]}`;
}
