/**
 * `@ensign/sdk`: the entry for browsers and any runtime with `fetch`. Local evaluation with a
 * server key lives in `@ensign/sdk/node`; route guards in `@ensign/sdk/fastify` and
 * `@ensign/sdk/express`; OpenFeature providers in `@ensign/sdk/openfeature/{web,server}`.
 */
export { createClient, type RemoteClient, type RemoteClientOptions } from "./remote-client";
export type { ContextTokenInput } from "./token-source";
export { backoffDelay, type BackoffOptions } from "./backoff";
export type { FetchLike } from "./http";
export type { EventSourceLike } from "./stream";
export {
  EnsignError,
  type ClientEvents,
  type ClientStatus,
  type EnsignErrorCode,
  type EvaluationContext,
  type FlagClient,
  type FlagDetails,
  type FlagErrorCode,
  type FlagGetters,
  type FlagMap,
  type FlagValue,
  type JsonValue,
  type KeyOfType,
  type Reason,
  type Register,
  type RegisteredFlags,
  type ValueOf,
} from "./types";
