import { jsonSchemaTransform } from "fastify-type-provider-zod";

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

const isZod = (value: unknown) => typeof value === "object" && value !== null && "_zod" in value;
const PARTS = ["headers", "querystring", "body", "params"] as const;

/**
 * The OpenAPI transform for a mixed API: zod route schemas are converted, plain JSON Schema
 * (the evaluation hot path, serialized by fast-json-stringify) passes through as written.
 */
export function transformRouteSchema(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const schema = input.schema as Record<string, unknown> | undefined;
  if (!schema) return jsonSchemaTransform(input);
  const zodOnly: Record<string, unknown> = { ...schema };
  const plain: Record<string, unknown> = {};
  for (const part of PARTS) {
    if (schema[part] !== undefined && !isZod(schema[part])) {
      plain[part] = schema[part];
      delete zodOnly[part];
    }
  }
  const plainResponses: Record<string, unknown> = {};
  const response = schema.response as Record<string, unknown> | undefined;
  if (response) {
    const zodResponses: Record<string, unknown> = {};
    for (const [status, value] of Object.entries(response)) (isZod(value) ? zodResponses : plainResponses)[status] = value;
    zodOnly.response = Object.keys(zodResponses).length ? zodResponses : undefined;
  }
  const converted = jsonSchemaTransform({ ...input, schema: zodOnly } as TransformInput);
  const out = converted.schema as Record<string, unknown>;
  if (out.hide) return converted;
  Object.assign(out, plain);
  if (Object.keys(plainResponses).length) out.response = { ...(out.response as object | undefined), ...plainResponses };
  return converted;
}
