import { z } from "zod";
import { Reason } from "./evaluation";
import { SnapshotFlag } from "./snapshot";
import { JsonValue } from "./targeting";

/**
 * The evaluation endpoints' shapes, shared by the API and the SDKs.
 *
 * Credentials: `X-API-Key: ens_cli_…` (client key: evaluate only) or `ens_srv_…` (server key:
 * also `/v1/config` and traits). `Authorization: Bearer <key>` works too, and `?apiKey=` where
 * headers cannot be set (EventSource). A signed context token travels in `X-Ensign-Context`
 * (or `?contextToken=`); its claims replace whatever context the caller sent.
 */
export const API_KEY_HEADER = "x-api-key";
export const CONTEXT_TOKEN_HEADER = "x-ensign-context";

/** `GET /v1/flags`: context from `context` (JSON), or from targetingKey/tenantKey/role parameters. */
export const PortalFlagsQuery = z.object({
  context: z.string().max(8_192).optional(),
  targetingKey: z.string().max(256).optional(),
  tenantKey: z.string().max(256).optional(),
  role: z.string().max(256).optional(),
  /** `camel`: `knowledge_base_enabled` comes back as `knowledgeBaseEnabled`. */
  keys: z.enum(["original", "camel"]).default("original"),
  apiKey: z.string().max(200).optional(),
  contextToken: z.string().max(8_192).optional(),
});
export type PortalFlagsQuery = z.infer<typeof PortalFlagsQuery>;

export const PortalFlag = z.object({
  value: JsonValue,
  variant: z.string().optional(),
  reason: Reason,
});
export type PortalFlag = z.infer<typeof PortalFlag>;

/** Every flag's value for one context. Served with an ETag; `If-None-Match` answers 304. */
export const PortalFlagsResponse = z.object({
  environment: z.string(),
  /** The environment's snapshot version the answer was computed from. */
  version: z.number().int(),
  flags: z.record(z.string(), PortalFlag),
});
export type PortalFlagsResponse = z.infer<typeof PortalFlagsResponse>;

/**
 * The flags a change replaced, as the new version stores them: a client holding exactly
 * `fromVersion` may put them in place of the same keys and be at the new version.
 */
export const StreamDelta = z.object({
  fromVersion: z.number().int(),
  flags: z.array(SnapshotFlag).min(1),
});
export type StreamDelta = z.infer<typeof StreamDelta>;

/** `data` of the `change` event of `GET /v1/stream` (SSE; `id:` is the version; `: ping` heartbeats). */
export const StreamChangeEvent = z.object({
  environment: z.string(),
  version: z.number().int(),
  /** Server keys' streams only, when the change touched only some flags; anything else refetches `/v1/config`. */
  delta: StreamDelta.optional(),
});
export type StreamChangeEvent = z.infer<typeof StreamChangeEvent>;

/** `GET /v1/stream`'s query: what EventSource, which cannot set headers, sends in their place. */
export const StreamQuery = z.object({
  apiKey: z.string().max(200).optional(),
  contextToken: z.string().max(8_192).optional(),
  /** The id of the last event seen, as `Last-Event-ID` carries it on a reconnect. */
  lastEventId: z.string().max(32).optional(),
  /** `ofrep`: OFREP's `refetchEvaluation` messages in place of `change` events. */
  format: z.enum(["ofrep"]).optional(),
});
export type StreamQuery = z.infer<typeof StreamQuery>;

/** `PUT /v1/identities/{key}/traits` (server key): replaces the identity's stored traits. */
export const TraitsBody = z.object({ traits: z.record(z.string(), JsonValue) });
export type TraitsBody = z.infer<typeof TraitsBody>;

export const TraitsResponse = z.object({
  key: z.string(),
  traits: z.record(z.string(), JsonValue),
  version: z.number().int(),
  updatedAt: z.string(),
});
export type TraitsResponse = z.infer<typeof TraitsResponse>;

/** The claims of a signed context token (HS256 with the environment's context secret). */
export const ContextTokenClaims = z
  .object({
    /** The end user: becomes `targetingKey`. */
    sub: z.string().min(1).max(256),
    tenantKey: z.string().max(256).optional(),
    role: z.string().max(256).optional(),
    /** Further context attributes. */
    attributes: z.record(z.string(), JsonValue).optional(),
    exp: z.number().int(),
    iat: z.number().int().optional(),
    iss: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .passthrough();
export type ContextTokenClaims = z.infer<typeof ContextTokenClaims>;
