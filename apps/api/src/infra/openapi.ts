import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import { STATUS_CODES } from "node:http";
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";
import packageJson from "../../package.json" with { type: "json" };
import { registerContractSchemas } from "./openapi-components";
import { operationIdOf } from "./openapi-operations";

type OpenApiOptions = NonNullable<FastifyDynamicSwaggerOptions["openapi"]>;
type Transform = NonNullable<FastifyDynamicSwaggerOptions["transform"]>;
type TransformObject = NonNullable<FastifyDynamicSwaggerOptions["transformObject"]>;
type Json = Record<string, unknown>;

/** Every contract schema, named by its export: `FlagResponse`, `CreateFlagBody`, `JsonValue`, … */
const registry = registerContractSchemas(z.registry<{ id?: string }>());
const zodTransform = createJsonSchemaTransform({ schemaRegistry: registry });
const zodTransformObject = createJsonSchemaTransformObject({ schemaRegistry: registry });

const isZod = (value: unknown): value is z.ZodType => value instanceof z.ZodType;
/** The parts @fastify/swagger turns into parameters: they must be inline objects, never a `$ref`. */
const PARAMETER_PARTS = ["headers", "querystring", "params"] as const;
const PARTS = [...PARAMETER_PARTS, "body"] as const;

/** What every operation group is about, in the order the docs list them. */
const TAGS: { name: string; description: string }[] = [
  { name: "auth", description: "Sign in, refresh and sign out of the admin API (bearer JWT, refresh cookie)." },
  { name: "workspaces", description: "Workspaces: the unit of isolation for flags, tenants and environments." },
  { name: "flags", description: "Flag definitions: type, variants, lifecycle." },
  { name: "flag state", description: "A flag's state in one environment: enabled, rules, serving." },
  { name: "schedules", description: "Scheduled changes and progressive rollouts of a flag's state." },
  { name: "tenants", description: "Tenants of the product and their modules." },
  { name: "overrides", description: "Per-tenant and per-user overrides of a flag's state." },
  { name: "override layers", description: "A workspace's own override dimensions (e.g. platform), their overrides per flag, and the override order." },
  { name: "tenant admin", description: "What a tenant's own admins see and switch for their tenant." },
  { name: "environments", description: "Environments and their context-token secrets." },
  { name: "members", description: "Who may do what in a workspace." },
  { name: "invitations", description: "Joining a workspace by a one-time invitation link." },
  { name: "password resets", description: "One-time password-reset links that owners hand out." },
  { name: "modules", description: "Modules group flags that tenants buy or switch together." },
  { name: "segments", description: "Reusable groups of conditions for targeting rules." },
  { name: "roles", description: "End-user roles and their inheritance, which `role_at_least` rules read; tenants' own roles." },
  { name: "api-keys", description: "Server and client keys of an environment, for the evaluation API." },
  { name: "access-tokens", description: "Personal access tokens and workspace service tokens, for scripts and CI calling the admin API." },
  { name: "webhooks", description: "Webhooks, Slack and e-mail notifications of a workspace's changes, and their delivery log (docs/webhooks.md)." },
  { name: "identities", description: "End users seen by evaluation, and their traits." },
  { name: "audit", description: "The audit log of every admin write." },
  { name: "import-export", description: "A workspace as one JSON document, out and in." },
  { name: "live", description: "The admin app's evaluation tester, blast radius of a change, and live events." },
  { name: "stats", description: "Evaluation statistics per flag." },
  { name: "evaluation", description: "Evaluation for SDKs and portals with an API key: flag values, the rules snapshot, change events." },
  { name: "ofrep", description: "The OpenFeature Remote Evaluation Protocol (OFREP)." },
  { name: "health", description: "Liveness and readiness probes." },
  { name: "metrics", description: "Prometheus metrics, on a port of their own." },
];

/** API and docs metadata: servers, security schemes and tags. `refreshCookie` names the refresh token's cookie. */
export function openApiDocument({ refreshCookie }: { refreshCookie: string }): OpenApiOptions {
  return {
    openapi: "3.1.0",
    info: {
      title: "Ensign API",
      // The server's version: the document changes with it.
      version: packageJson.version,
      description:
        "Feature flags for multi-tenant products: admin, tenant-admin and evaluation APIs. " +
        "Admin routes take a bearer JWT from `POST /v1/auth/login`; evaluation routes take an environment's API key. " +
        "Errors answer `{ error: { code, message, details?, requestId } }`, except OFREP's own error shapes.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "/", description: "This Ensign server" }],
    tags: TAGS,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token from `POST /v1/auth/login` or `/v1/auth/refresh`, a personal access token (`ens_pat_…`) or a service token (`ens_svc_…`)." },
        apiKey: { type: "apiKey", in: "header", name: "X-API-Key", description: "An environment's server or client API key." },
        apiKeyBearer: { type: "http", scheme: "bearer", description: "An environment's API key sent as `Authorization: Bearer <key>`." },
        apiKeyQuery: {
          type: "apiKey",
          in: "query",
          name: "apiKey",
          description: "An environment's API key in the query, for clients that cannot set headers (EventSource).",
        },
        refreshCookie: { type: "apiKey", in: "cookie", name: refreshCookie, description: "The refresh token, set as an httpOnly cookie at sign-in." },
      },
    },
  };
}

/** A zod schema with the same definition but not registered: converted inline, never a `$ref`. */
const unregistered = (schema: z.ZodType) => (registry.has(schema) ? schema.clone() : schema);

/**
 * The OpenAPI transform of one route, for a mixed API: zod route schemas are converted (contract
 * schemas become `$ref`s to named components), plain JSON Schema (the evaluation hot path,
 * serialized by fast-json-stringify) passes through as written. Every operation gets an
 * `operationId` (its own, or one derived from method and path) and a path without a trailing
 * slash. Routes declare their own `security` (`[]` for public ones).
 */
export const transformRouteSchema: Transform = (input) => {
  const schema = input.schema as Json | undefined;
  if (!schema) return zodTransform(input);
  const zodOnly: Json = { ...schema };
  const plain: Json = {};
  for (const part of PARTS) {
    const value = schema[part];
    if (value === undefined) continue;
    if (!isZod(value)) {
      plain[part] = value;
      delete zodOnly[part];
    } else if ((PARAMETER_PARTS as readonly string[]).includes(part)) {
      zodOnly[part] = unregistered(value);
    }
  }
  const plainResponses: Json = {};
  const response = schema.response as Json | undefined;
  if (response) {
    const zodResponses: Json = {};
    for (const [status, value] of Object.entries(response)) (isResponseOfZod(value) ? zodResponses : plainResponses)[status] = value;
    zodOnly.response = Object.keys(zodResponses).length ? zodResponses : undefined;
  }
  const converted = zodTransform({ ...input, schema: zodOnly } as Parameters<Transform>[0]);
  const out = converted.schema as Json;
  if (out.hide) return converted;
  Object.assign(out, plain);
  if (Object.keys(plainResponses).length) out.response = { ...(out.response as object | undefined), ...plainResponses };
  const responses = (out.response ?? {}) as Json;
  if (!("4XX" in responses) && !("4xx" in responses)) out.response = { ...responses, "4XX": ERROR_RESPONSE };
  const url = input.url.length > 1 ? input.url.replace(/\/$/, "") : input.url;
  const method = [input.route.method].flat()[0]!;
  out.operationId ??= operationIdOf(method, url);
  return { schema: out, url };
};

/**
 * What every route answers when it refuses a request (authentication, rate limits and body
 * limits included), for the 4xx statuses it does not document itself.
 */
const ERROR_RESPONSE = {
  description: "Refused: `{ error: { code, message, details?, requestId } }` (400 invalid input, 401, 403, 404, 409, 412, 413, 429…).",
  $ref: "#/components/schemas/ErrorBody",
};

/** A zod schema, or a response with content types whose schemas are zod. */
function isResponseOfZod(value: unknown): boolean {
  if (isZod(value)) return true;
  const content = (value as { content?: Record<string, { schema?: unknown }> } | null)?.content;
  return !!content && Object.values(content).some((media) => isZod(media.schema));
}

/** `GET /metrics`: served apart from the API (see `metrics-server.ts`), documented with its own server. */
const METRICS_PATH = {
  get: {
    operationId: "getMetrics",
    tags: ["metrics"],
    summary: "Prometheus metrics",
    description:
      "Served by a server of its own on `METRICS_PORT` (9464 by default; `off` for none), not on the API's port: expose it to the scraper's network only. " +
      "Evaluations by environment, reason and kind, HTTP requests by route and status, snapshot versions and ages, streams, schedule runs and the process.",
    servers: [{ url: "http://{host}:{port}", description: "The metrics server", variables: { host: { default: "localhost" }, port: { default: "9464" } } }],
    security: [],
    responses: {
      "200": { description: "The Prometheus text exposition format.", content: { "text/plain": { schema: { type: "string" } } } },
      "404": { description: "Any other path.", content: { "application/json": { schema: { $ref: "#/components/schemas/ErrorBody" } } } },
    },
  },
};

/**
 * `JsonValue` as any value: JSON is all a body can hold, and the recursive union zod writes for it
 * turns to `any` in generated clients' mapped types (openapi-fetch then rejects every object
 * with a JSON-valued field).
 */
const ANY_JSON = { description: "Any JSON value: a string, number, boolean, null, array or object." };

/**
 * The document as a whole: the contract schemas the operations use, as components (with the
 * `…Input` suffix only where a schema reads differently as a request than as a response), and
 * the metrics endpoint.
 */
export const transformDocument: TransformObject = (documentObject) => {
  const document = zodTransformObject(documentObject) as Json & { paths: Json; components: { schemas: Json } };
  for (const name of ["JsonValue", "JsonValueInput"]) document.components.schemas[name] = ANY_JSON;
  document.paths = { ...document.paths, "/metrics": METRICS_PATH };
  describeResponses(document.paths);
  document.components.schemas = usedSchemas(document);
  return document as ReturnType<TransformObject>;
};

/** Responses documented without a description of their own read as their HTTP status. */
function describeResponses(paths: Json) {
  for (const item of Object.values(paths) as Record<string, { responses?: Record<string, { description?: string }> }>[]) {
    for (const operation of Object.values(item)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (response.description === "Default Response") response.description = STATUS_CODES[status] ?? "Answer";
      }
    }
  }
}

const REF = "#/components/schemas/";

/** Every `$ref` name below `value`. */
function refsIn(value: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (key === "$ref" && typeof child === "string" && child.startsWith(REF)) found.add(child.slice(REF.length));
      else refsIn(child, found);
    }
  }
  return found;
}

/** Replaces `$ref` names by `renames`. */
function renameRefs<T>(value: T, renames: Map<string, string>): T {
  return JSON.parse(JSON.stringify(value), (key, child: unknown) =>
    key === "$ref" && typeof child === "string" && child.startsWith(REF) && renames.has(child.slice(REF.length))
      ? REF + renames.get(child.slice(REF.length))
      : child,
  ) as T;
}

/**
 * The components the document reaches from its paths. zod converts each registered schema twice
 * (as request, `XInput`, and as response, `X`); where only one is used or both read the same,
 * the component keeps the contract's plain name.
 */
function usedSchemas(document: { paths: Json; components: { schemas: Json } }): Json {
  const all = document.components.schemas;
  const reached = new Set<string>();
  const visit = (names: Set<string>) => {
    for (const name of names) {
      if (reached.has(name) || !(name in all)) continue;
      reached.add(name);
      visit(refsIn(all[name], new Set()));
    }
  };
  visit(refsIn(document.paths, new Set()));

  // Every `XInput` whose `X` is unused is renamed. Where both are used, assume each pair reads
  // the same, then drop the pairs that differ under that assumption until none does: recursive
  // schemas (JSON values, conditions) then merge too.
  const renames = new Map<string, string>();
  for (const name of reached) if (name.endsWith("Input")) renames.set(name, name.slice(0, -"Input".length));
  for (let isChanged = true; isChanged; ) {
    isChanged = false;
    for (const [name, plain] of renames) {
      if (!reached.has(plain) || JSON.stringify(renameRefs(all[name], renames)) === JSON.stringify(all[plain])) continue;
      renames.delete(name);
      isChanged = true;
    }
  }
  const schemas: Json = {};
  for (const name of [...reached].sort()) {
    const target = renames.get(name) ?? name;
    if (!(target in schemas) || target === name) schemas[target] = renameRefs(all[name], renames);
  }
  document.paths = renameRefs(document.paths, renames);
  return schemas;
}
