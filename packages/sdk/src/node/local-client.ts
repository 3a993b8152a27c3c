import { API_KEY_HEADER } from "../headers";
import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { compile, evaluate, flagKeys, withFlags, type CompiledSnapshot } from "@ensign/evaluator";
import type { BackoffOptions } from "../backoff";
import { ClientEmitter } from "../emitter";
import { errorOf, typeOfDefault, type ExpectedType } from "../flag-values";
import { buildUrl, conditionalGet, type FetchLike } from "../http";
import { openChangeStream, unref, type ChangeStream } from "../stream";
import { EnsignError, type ClientStatus, type EvaluationContext, type FlagClient, type FlagDetails, type FlagMap, type RegisteredFlags } from "../types";
import { createIdentityTraits } from "./identity-traits";
import { applyDelta, changedFlagKeys, parseDelta, parseSnapshot } from "./snapshot";

/** How a local client reaches Ensign. */
export interface LocalClientOptions {
  /** The Ensign API's base URL. */
  url: string;
  /** A server key (`ens_srv_…`): secret, may download the environment's rules. Never ship it to browsers. */
  serverKey: string;
  /** Attributes every evaluation starts from; a call's own context is merged over them. */
  context?: EvaluationContext;
  /** A snapshot to evaluate with before (or without) the first download. */
  bootstrap?: EnvironmentSnapshot;
  /**
   * Stay current through `GET /v1/stream`. Default true. A change that carries the flags it
   * changed, made from the version held, is applied in place; any other downloads `/v1/config`.
   */
  stream?: boolean;
  /** Poll `/v1/config` (with its ETag) this often while the stream is down or off. Default 30 s; 0 never. */
  pollIntervalMs?: number;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  backoff?: BackoffOptions;
  heartbeatTimeoutMs?: number;
  fetch?: FetchLike;
  /** The clock evaluations use (epoch ms). */
  now?: () => number;
  /**
   * Merge each identity's stored traits (set with `PUT /v1/identities/:key/traits`) under the
   * context, as the API does. Traits are not in `/v1/config`: they are read per targeting key
   * from `GET /v1/identities/:key/traits` when first needed and held in memory. Default true.
   */
  traits?: boolean;
  /** Identities whose traits are held at most (least recently used leave first). Default 10,000. */
  traitsCacheSize?: number;
}

/** The Node client: evaluates in process from the environment's snapshot. */
export interface LocalClient<F extends FlagMap = RegisteredFlags> extends FlagClient<F> {
  /** The snapshot version evaluations run on; -1 before the first. */
  readonly version: number;
  /** Whether the change stream is connected right now. */
  readonly isStreaming: boolean;
  /** Every flag's details for one context. */
  evaluateAll(context?: EvaluationContext): Record<string, FlagDetails>;
  /** Downloads `/v1/config` now (with the ETag); resolves when done, never rejects. */
  refresh(): Promise<void>;
  /**
   * Reads the stored traits of an identity (by targeting key) unless they are held, so that the
   * synchronous getters use them. `evaluate` does this by itself. Resolves when done, never rejects.
   */
  identify(targetingKey: string): Promise<void>;
}

/**
 * Creates a local-evaluation client. Call `await client.start()` once at boot: it downloads the
 * snapshot and opens the stream. Evaluations are synchronous and never leave the process, with
 * one exception: an identity's stored traits are read from Ensign the first time its targeting
 * key is evaluated. The synchronous getters do not wait for them (they answer from the context
 * alone until the traits arrive); `evaluate` and `identify` do.
 */
export function createLocalClient<F extends FlagMap = RegisteredFlags>(options: LocalClientOptions): LocalClient<F> {
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const emitter = new ClientEmitter((error) => emitter.emit("error", new EnsignError("EVALUATION", "A flag listener threw", { cause: error })));
  const reported = new Set<string>();
  const headers = { [API_KEY_HEADER]: options.serverKey };

  let snapshot: EnvironmentSnapshot | undefined;
  let compiled: CompiledSnapshot | undefined;
  let etag: string | undefined;
  let status: ClientStatus = "loading";
  let inflight: Promise<void> | undefined;
  let started: Promise<void> | undefined;
  let stream: ChangeStream | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  const isUsingTraits = options.traits !== false;
  const pollMs = options.pollIntervalMs ?? 30_000;
  const traits = createIdentityTraits({
    url: options.url,
    headers,
    fetch: fetchFn,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxEntries: options.traitsCacheSize ?? 10_000,
    // Streaming, `identity` events say when traits change; otherwise they are read again as often as the config is polled.
    maxAgeMs: () => (stream?.isConnected ? Number.POSITIVE_INFINITY : pollMs > 0 ? pollMs : Number.POSITIVE_INFINITY),
  });

  /** The identity's traits under the context, when held; starts reading them when not. */
  function withTraits(context: EvaluationContext): EvaluationContext {
    const key = context.targetingKey;
    if (!isUsingTraits || typeof key !== "string") return context;
    const held = traits.peek(key);
    if (held === undefined) {
      void identify(key);
      return context;
    }
    return held === null ? context : { ...held, ...context };
  }

  function identify(key: string): Promise<void> {
    if (!isUsingTraits) return Promise.resolve();
    return traits.load(key).then(
      () => undefined,
      (error: unknown) => void emitter.emit("error", error instanceof EnsignError ? error : new EnsignError("NETWORK", String(error), { cause: error })),
    );
  }

  function install(next: EnvironmentSnapshot): string[] {
    const changed = changedFlagKeys(snapshot, next);
    snapshot = next;
    compiled = compile(next);
    reported.clear();
    return changed;
  }

  /**
   * Applies a change's delta when it was made from exactly the version held: those flags
   * replaced and compiled alone, the rest shared, no download. False when it does not fit (or
   * is malformed): the caller downloads `/v1/config` instead.
   */
  function appliedDelta(version: number, raw: unknown): boolean {
    const delta = parseDelta(raw);
    if (!snapshot || !compiled || !delta) return false;
    const result = applyDelta(snapshot, delta, version);
    if (!result) return false;
    const next = result.snapshot;
    // A snapshot that did not compile has nothing to share: compile the new one whole.
    compiled = compiled.failure === null ? { ...withFlags(compiled, delta.flags), version: next.version, generatedAt: next.generatedAt } : compile(next);
    snapshot = next;
    // `/v1/config`'s ETag is the snapshot version; one of another form is dropped, so the next poll downloads in full.
    etag = etag === `"${delta.fromVersion}"` ? `"${version}"` : undefined;
    reported.clear();
    emitter.emitChange(result.changed);
    return true;
  }

  if (options.bootstrap) {
    install(options.bootstrap);
    status = "ready";
  }

  function setStatus(next: ClientStatus) {
    if (next === status) return;
    status = next;
    emitter.emit("status", next);
    if (next === "ready") emitter.emit("ready");
  }

  function load(): Promise<void> {
    if (inflight) return inflight;
    inflight = (async () => {
      try {
        const result = await conditionalGet(fetchFn, buildUrl(options.url, "/v1/config"), { headers, etag, timeoutMs: options.timeoutMs ?? 10_000, parse: parseSnapshot });
        if (!result.notModified && (snapshot === undefined || result.body.version >= snapshot.version)) {
          etag = result.etag;
          const changed = install(result.body);
          setStatus("ready");
          emitter.emitChange(changed);
        } else setStatus("ready");
      } catch (error) {
        if (status === "loading") setStatus("error");
        emitter.emit("error", error instanceof EnsignError ? error : new EnsignError("NETWORK", String(error), { cause: error }));
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  function resolve<T>(key: string, defaultValue: T, expectedType: ExpectedType | undefined, context: EvaluationContext | undefined): FlagDetails<T> {
    if (!compiled) return { key, value: defaultValue, reason: "ERROR", errorCode: "PROVIDER_NOT_READY", errorMessage: "No configuration loaded yet" };
    const result = evaluateRaw(key, defaultValue, expectedType, context);
    const details: FlagDetails<T> = { key, value: result.value as T, reason: result.reason, detail: result.detail };
    if (result.variant !== undefined) details.variant = result.variant;
    if (result.ruleId !== undefined) details.ruleId = result.ruleId;
    if (result.errorCode) {
      details.errorCode = result.errorCode;
      details.errorMessage = result.errorMessage ?? result.errorCode;
      details.value = defaultValue;
      report(details);
    }
    return details;
  }

  function evaluateRaw(key: string, defaultValue: unknown, expectedType: ExpectedType | undefined, context: EvaluationContext | undefined) {
    const merged = withTraits(options.context || !context ? { ...options.context, ...context } : context);
    // Without an injected clock the evaluator reads Date.now() itself, only when a rule needs it.
    const at = options.now ? options.now() : undefined;
    return evaluate(compiled!, key, merged, { defaultValue: defaultValue as never, expectedType: expectedType === "json" ? undefined : expectedType, now: at });
  }

  /** The getters' fast path: the value alone, no details object. */
  function valueOf<T>(key: string, defaultValue: T, expectedType: ExpectedType, context: EvaluationContext | undefined): T {
    if (!compiled) return defaultValue;
    const result = evaluateRaw(key, defaultValue, expectedType, context);
    if (result.errorCode === undefined) return result.value as T;
    report({ key, value: defaultValue, reason: result.reason, errorCode: result.errorCode, errorMessage: result.errorMessage });
    return defaultValue;
  }

  function report(details: FlagDetails<unknown>) {
    const id = `${details.errorCode}:${details.key}`;
    const error = errorOf(details);
    if (!error || reported.has(id)) return;
    reported.add(id);
    emitter.emit("error", error);
  }

  const client: LocalClient<F> = {
    get status() {
      return status;
    },
    get version() {
      return snapshot?.version ?? -1;
    },
    get isStreaming() {
      return stream?.isConnected ?? false;
    },
    start() {
      if (started) return started;
      if (options.stream !== false) {
        let isFirstOpen = true;
        stream = openChangeStream({
          baseUrl: options.url,
          credentials: async () => ({ headers, query: {} }),
          transport: "fetch",
          fetch: fetchFn,
          backoff: options.backoff,
          heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 75_000,
          onOpen: () => {
            if (isFirstOpen) return void (isFirstOpen = false);
            // Identity events may have been missed while away.
            traits.clear();
            void load();
          },
          onChange: (event) => {
            if (event.version <= client.version) return;
            if (event.delta === undefined || !appliedDelta(event.version, event.delta)) void load();
          },
          onIdentity: (event) => traits.forget(event.key),
          onError: (error) => emitter.emit("error", error),
        });
      }
      if (pollMs > 0) {
        pollTimer = setInterval(() => !client.isStreaming && void load(), pollMs);
        unref(pollTimer);
      }
      started = load();
      return started;
    },
    refresh: load,
    identify,
    getBoolean: (key, defaultValue, context) => valueOf(key, defaultValue, "boolean", context),
    getString: (key, defaultValue, context) => valueOf(key, defaultValue, "string", context),
    getNumber: (key, defaultValue, context) => valueOf(key, defaultValue, "number", context),
    getJson: (key, defaultValue, context) => valueOf(key, defaultValue, "json", context),
    getDetails: (key, defaultValue, context) => resolve(key, defaultValue, typeOfDefault(defaultValue), context),
    async evaluate(key, defaultValue, context) {
      await client.start();
      const targetingKey = context?.targetingKey ?? options.context?.targetingKey;
      if (typeof targetingKey === "string") await identify(targetingKey);
      return resolve(key, defaultValue, typeOfDefault(defaultValue), context);
    },
    evaluateAll(context) {
      if (!compiled) return {};
      const result: Record<string, FlagDetails> = {};
      for (const key of flagKeys(compiled)) result[key] = resolve(key, null, undefined, context);
      return result;
    },
    subscribe: (key, listener) => emitter.on(`change:${key}`, listener),
    on: ((event: string, listener: (...args: never[]) => void) => emitter.on(event, listener)) as LocalClient<F>["on"],
    close() {
      stream?.close();
      clearInterval(pollTimer);
      stream = undefined;
    },
  };
  return client;
}
