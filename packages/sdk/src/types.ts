import type { EvaluationContext, EvaluationErrorCode, Reason } from "@ensign/contracts/evaluation";
import type { JsonValue } from "@ensign/contracts/targeting";

export type { EvaluationContext, JsonValue, Reason };

/** A flag's value: what a flag of any type can serve. */
export type FlagValue = JsonValue;

/** Flag keys mapped to the type of value each serves. `ensign-types` generates one for a workspace. */
export type FlagMap = Record<string, FlagValue>;

/**
 * Register your generated flag map once and every client and hook is typed by it:
 *
 * ```ts
 * declare module "@ensign/sdk" {
 *   interface Register { flags: EnsignFlags }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The registered flag map, or an open map of any key to any value. */
export type RegisteredFlags = Register extends { flags: infer F extends FlagMap } ? F : FlagMap;

type KeysOfType<F, T> = { [K in keyof F & string]: F[K] extends T ? K : never }[keyof F & string];

/** Keys of `F` whose values are of type `T` (any string when `F` is open). */
export type KeyOfType<F extends FlagMap, T> = string extends keyof F ? string : KeysOfType<F, T>;

/** The value type of flag `K`, or `Fallback` when the map is open. */
export type ValueOf<F extends FlagMap, K extends string, Fallback = FlagValue> = string extends keyof F
  ? Fallback
  : K extends keyof F
    ? F[K]
    : Fallback;

/** Error codes of a result; OpenFeature's, plus `PROVIDER_NOT_READY` before the first load. */
export type FlagErrorCode = EvaluationErrorCode | "PROVIDER_NOT_READY";

/** One flag's answer with how it was reached. `value` is the caller's default whenever `errorCode` is set. */
export interface FlagDetails<T = FlagValue> {
  key: string;
  value: T;
  variant?: string;
  reason: Reason;
  /** The source that decided, e.g. `TENANT_OVERRIDE` or `RULE:<id>` (local evaluation only). */
  detail?: string;
  /** The rule that matched, when one did (local evaluation only). */
  ruleId?: string;
  errorCode?: FlagErrorCode;
  errorMessage?: string;
}

/** `loading` until the first answer, `ready` once flags are known, `error` when the first load failed. */
export type ClientStatus = "loading" | "ready" | "error";

/** Why something went wrong; emitted as the `error` event, never thrown at the application. */
export type EnsignErrorCode =
  | "NETWORK"
  | "TIMEOUT"
  | "HTTP"
  | "UNAUTHORIZED"
  | "BAD_RESPONSE"
  | "STREAM"
  | "FLAG_NOT_FOUND"
  | "TYPE_MISMATCH"
  | "INVALID_CONTEXT"
  | "EVALUATION";

/** An SDK failure, delivered through the `error` event for logging. */
export class EnsignError extends Error {
  override readonly name = "EnsignError";
  constructor(
    readonly code: EnsignErrorCode,
    message: string,
    readonly details: { status?: number; key?: string; cause?: unknown } = {},
  ) {
    super(message);
  }
}

/** The events every client emits. `change` carries the keys whose value changed. */
export interface ClientEvents {
  ready: [];
  change: [keys: string[]];
  error: [error: EnsignError];
  status: [status: ClientStatus];
}

/** The typed getters both clients offer. None of them throws. */
export interface FlagGetters<F extends FlagMap> {
  getBoolean<K extends KeyOfType<F, boolean>>(key: K, defaultValue: boolean, context?: EvaluationContext): boolean;
  getString<K extends KeyOfType<F, string>>(key: K, defaultValue: ValueOf<F, K, string> & string, context?: EvaluationContext): ValueOf<F, K, string> & string;
  getNumber<K extends KeyOfType<F, number>>(key: K, defaultValue: number, context?: EvaluationContext): number;
  getJson<K extends keyof F & string>(key: K, defaultValue: ValueOf<F, K>, context?: EvaluationContext): ValueOf<F, K>;
  getDetails<K extends keyof F & string>(key: K, defaultValue: ValueOf<F, K>, context?: EvaluationContext): FlagDetails<ValueOf<F, K>>;
  /** Async evaluation for any context; guards use it. Resolves once the client has loaded. */
  evaluate<K extends keyof F & string>(key: K, defaultValue: ValueOf<F, K>, context?: EvaluationContext): Promise<FlagDetails<ValueOf<F, K>>>;
}

/** What the two clients share: getters, subscriptions, events, lifecycle. */
export interface FlagClient<F extends FlagMap = RegisteredFlags> extends FlagGetters<F> {
  readonly status: ClientStatus;
  /** Starts loading and streaming; resolves when the first load settled (never rejects). Idempotent. */
  start(): Promise<void>;
  /** Calls `listener` whenever flag `key` may have changed; returns the unsubscribe function. */
  subscribe(key: keyof F & string, listener: () => void): () => void;
  /** `ready`, `change`, `error`, `status`, or `change:<key>` for one flag. Returns the unsubscribe function. */
  on<E extends keyof ClientEvents>(event: E, listener: (...args: ClientEvents[E]) => void): () => void;
  on(event: `change:${keyof F & string}`, listener: () => void): () => void;
  /** Stops streaming, polling and timers. */
  close(): void;
}
