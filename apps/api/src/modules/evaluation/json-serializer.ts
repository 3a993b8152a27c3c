import type { FastifySerializerCompiler } from "fastify";
import fastJson, { type Schema } from "fast-json-stringify";

/**
 * fast-json-stringify for routes whose response schemas are plain JSON Schema (the evaluation
 * hot path), in place of the zod serializer the rest of the API uses.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Fastify types the compiler by the route's schema.
export const jsonSchemaSerializer: FastifySerializerCompiler<any> = ({ schema }) => fastJson(schema as Schema);

/** The documented response of a conditional request whose `If-None-Match` matched. */
export const notModified = { type: "null", description: "Not modified: the ETag in If-None-Match is current." } as const;

/** OpenAPI security of the API-key routes: `X-API-Key` or `Authorization: Bearer`. */
export const apiKeySecurity: Record<string, string[]>[] = [{ apiKey: [] }, { apiKeyBearer: [] }];

/** OpenAPI security of the API-key routes that also take `?apiKey=` (EventSource cannot set headers). */
export const apiKeyOrQuerySecurity: Record<string, string[]>[] = [...apiKeySecurity, { apiKeyQuery: [] }];
