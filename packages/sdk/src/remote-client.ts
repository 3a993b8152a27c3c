import type { PortalFlag, PortalFlagsResponse } from "@ensign/contracts/portal";
import { API_KEY_HEADER, CONTEXT_TOKEN_HEADER } from "./headers";
import type { BackoffOptions } from "./backoff";
import { ClientEmitter } from "./emitter";
import { bootstrapOf, changedKeys, contextId, detailsOf, errorOf, parsePortalFlags, typeOfDefault, type ExpectedType } from "./flag-values";
import { buildUrl, conditionalGet, type FetchLike } from "./http";
import { createTokenSource, type ContextTokenInput } from "./token-source";
import { openChangeStream, unref, type ChangeStream, type EventSourceLike } from "./stream";
import { EnsignError, type ClientStatus, type EvaluationContext, type FlagClient, type FlagDetails, type FlagMap, type FlagValue, type RegisteredFlags } from "./types";

/** How a remote client reaches Ensign and for whom it evaluates. */
export interface RemoteClientOptions<F extends FlagMap = RegisteredFlags> {
  /** The Ensign API's base URL, e.g. `https://flags.example.com`. */
  url: string;
  /** A client key (`ens_cli_…`): public, may only evaluate. */
  clientKey?: string;
  /**
   * A signed context token minted by your backend, or a function that fetches one. A function is
   * called again when the API answers 401 (the token expired).
   */
  contextToken?: ContextTokenInput;
  /** The context to evaluate for, when no token carries it. */
  context?: EvaluationContext;
  /** Values to serve before (or instead of) the first fetch: a server render's `/v1/flags` answer, or plain values. */
  bootstrap?: PortalFlagsResponse | Partial<F>;
  /** How long fetched values count as fresh; a read after that refreshes in the background. Default 60 s. */
  cacheTtlMs?: number;
  /** Per request. Default 5 s. */
  timeoutMs?: number;
  /** Refresh on `GET /v1/stream` change events. Default true. */
  stream?: boolean;
  /**
   * Fetch `/v1/flags` (with its ETag) this often while the stream is down, off, or impossible in
   * this runtime (no EventSource and no streamed fetch, as in React Native). Default 30 s; 0 never.
   */
  pollIntervalMs?: number;
  /** Default `auto`: EventSource where the runtime has one, a fetch-based reader otherwise. */
  streamTransport?: "auto" | "eventsource" | "fetch";
  /** Refresh when the window regains focus or the tab becomes visible. Default true. */
  refreshOnFocus?: boolean;
  /** `camel` asks for `knowledgeBaseEnabled` instead of `knowledge_base_enabled`. */
  keys?: "original" | "camel";
  backoff?: BackoffOptions;
  heartbeatTimeoutMs?: number;
  fetch?: FetchLike;
  EventSource?: EventSourceLike;
}

/** The browser and portal client: evaluates remotely for one context, keeps the answers in memory. */
export interface RemoteClient<F extends FlagMap = RegisteredFlags> extends FlagClient<F> {
  /** The stored value of `key` (same reference until it changes), or `undefined`. For `useSyncExternalStore`. */
  peek(key: string): FlagValue | undefined;
  /** Every known flag's value; a new object only after a change. */
  getAll(): Readonly<Partial<F>>;
  /** The last error while loading, if the latest load failed. */
  readonly lastError: EnsignError | undefined;
  /** Fetches now (with the ETag); resolves when done, never rejects. */
  refresh(): Promise<void>;
  /** Evaluates for another user from now on; resolves once the new answers arrived (at once before `start()`). */
  setContext(context: EvaluationContext | undefined): Promise<void>;
  setContextToken(token: ContextTokenInput): Promise<void>;
}

const CONTEXT_CACHE_SIZE = 500;

/**
 * Creates the remote client. Nothing happens until `start()` (the React provider calls it in an
 * effect), so creating one during a server render is safe.
 */
export function createClient<F extends FlagMap = RegisteredFlags>(options: RemoteClientOptions<F>): RemoteClient<F> {
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const ttl = options.cacheTtlMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const emitter = new ClientEmitter((error) => emitter.emit("error", new EnsignError("EVALUATION", "A flag listener threw", { cause: error })));
  const reported = new Set<string>();
  const others = new Map<string, { at: number; answer: Promise<PortalFlagsResponse | undefined> }>();

  let context = options.context;
  const tokens = createTokenSource(options.contextToken);
  let flags: Record<string, PortalFlag> = {};
  let all: Record<string, FlagValue> = {};
  let version = -1;
  let etag: string | undefined;
  let fetchedAt = 0;
  let status: ClientStatus = "loading";
  let lastError: EnsignError | undefined;
  let inflight: Promise<void> | undefined;
  let started: Promise<void> | undefined;
  let stream: ChangeStream | undefined;
  let removeFocus: (() => void) | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;

  if (options.bootstrap) {
    const boot = bootstrapOf(options.bootstrap as PortalFlagsResponse | Record<string, FlagValue>);
    apply(boot);
    status = "ready";
  }

  function setStatus(next: ClientStatus) {
    if (next === status) return;
    status = next;
    emitter.emit("status", next);
    if (next === "ready") emitter.emit("ready");
  }

  function apply(answer: PortalFlagsResponse) {
    const changed = changedKeys(flags, answer.flags);
    const next: Record<string, PortalFlag> = {};
    // Unchanged flags keep their objects, so readers holding a JSON value see the same reference.
    for (const [key, flag] of Object.entries(answer.flags)) next[key] = changed.includes(key) ? flag : flags[key]!;
    flags = next;
    version = answer.version;
    if (changed.length > 0) {
      all = Object.fromEntries(Object.entries(flags).map(([key, flag]) => [key, flag.value]));
      reported.clear();
    }
    return changed;
  }

  async function credentials(renew = false) {
    const contextToken = await tokens.current(renew);
    const headers: Record<string, string> = {};
    if (options.clientKey) headers[API_KEY_HEADER] = options.clientKey;
    if (contextToken) headers[CONTEXT_TOKEN_HEADER] = contextToken;
    return { headers, query: { apiKey: options.clientKey, contextToken } };
  }

  function flagsUrl(forContext: EvaluationContext | undefined, hasToken: boolean) {
    const query: Record<string, string | undefined> = { keys: options.keys === "camel" ? "camel" : undefined };
    if (forContext && !hasToken) query.context = JSON.stringify(forContext);
    return buildUrl(options.url, "/v1/flags", query);
  }

  async function fetchFlags(forContext: EvaluationContext | undefined, ifNoneMatch: string | undefined) {
    const get = async (renew: boolean) => {
      const { headers } = await credentials(renew);
      const url = flagsUrl(forContext, headers[CONTEXT_TOKEN_HEADER] !== undefined);
      return conditionalGet(fetchFn, url, { headers, etag: ifNoneMatch, timeoutMs, parse: parsePortalFlags });
    };
    try {
      return await get(false);
    } catch (error) {
      // An expired token: ask the application for a fresh one, once.
      if (error instanceof EnsignError && error.code === "UNAUTHORIZED" && tokens.isRenewable) return get(true);
      throw error;
    }
  }

  function load(): Promise<void> {
    if (inflight) return inflight;
    const forContext = contextId(context);
    inflight = (async () => {
      try {
        const result = await fetchFlags(context, etag);
        if (forContext !== contextId(context)) return; // the context changed meanwhile; its own load follows
        fetchedAt = Date.now();
        lastError = undefined;
        if (!result.notModified) {
          etag = result.etag;
          const changed = apply(result.body);
          setStatus("ready");
          emitter.emitChange(changed);
        } else setStatus("ready");
      } catch (error) {
        lastError = error instanceof EnsignError ? error : new EnsignError("NETWORK", String(error), { cause: error });
        if (status === "loading") setStatus("error");
        emitter.emit("error", lastError);
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  function revalidateIfStale() {
    if (started && !inflight && Date.now() - fetchedAt > ttl) void load();
  }

  function resolve<T>(key: string, defaultValue: T, expected: ExpectedType | undefined, forContext?: EvaluationContext): FlagDetails<T> {
    let details: FlagDetails<T>;
    if (forContext !== undefined && contextId(forContext) !== contextId(context)) {
      details = { key, value: defaultValue, reason: "ERROR", errorCode: "INVALID_CONTEXT", errorMessage: "A remote client answers only for its own context; use evaluate() or setContext()" };
    } else if (status === "loading" && Object.keys(flags).length === 0) {
      details = { key, value: defaultValue, reason: "ERROR", errorCode: "PROVIDER_NOT_READY", errorMessage: "Flags are still loading" };
    } else {
      details = detailsOf(key, flags[key], defaultValue, expected);
    }
    report(details);
    revalidateIfStale();
    return details;
  }

  function report(details: FlagDetails<unknown>) {
    const error = errorOf(details);
    if (!error || details.errorCode === "PROVIDER_NOT_READY") return;
    const id = `${details.errorCode}:${details.key}`;
    if (reported.has(id)) return;
    reported.add(id);
    emitter.emit("error", error);
  }

  async function answerFor(forContext: EvaluationContext): Promise<PortalFlagsResponse | undefined> {
    const id = contextId(forContext);
    const cached = others.get(id);
    if (cached && Date.now() - cached.at < ttl) return cached.answer;
    const answer = fetchFlags(forContext, undefined).then(
      (result) => (result.notModified ? undefined : result.body),
      (error: unknown) => {
        others.delete(id);
        emitter.emit("error", error instanceof EnsignError ? error : new EnsignError("NETWORK", String(error)));
        return undefined;
      },
    );
    if (others.size >= CONTEXT_CACHE_SIZE) others.delete(others.keys().next().value!);
    others.set(id, { at: Date.now(), answer });
    return answer;
  }

  function listenForFocus() {
    if (options.refreshOnFocus === false || typeof window === "undefined" || typeof document === "undefined") return;
    const onFocus = () => void load();
    const onVisible = () => document.visibilityState === "visible" && void load();
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onVisible);
    removeFocus = () => {
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }

  const client: RemoteClient<F> = {
    get status() {
      return status;
    },
    get lastError() {
      return lastError;
    },
    start() {
      if (started) return started;
      listenForFocus();
      if (options.stream !== false) {
        let isFirstOpen = true;
        stream = openChangeStream({
          baseUrl: options.url,
          // After a failure the token may have expired: mint a fresh one for the retry.
          credentials: (isRetry) => credentials(isRetry),
          transport: options.streamTransport ?? "auto",
          fetch: fetchFn,
          EventSource: options.EventSource,
          backoff: options.backoff,
          heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 75_000,
          // Catch up on whatever changed while the stream was away.
          onOpen: () => (isFirstOpen ? (isFirstOpen = false) : void load()),
          onChange: (event) => event.version > version && void load(),
          onError: (error) => emitter.emit("error", error),
        });
      }
      const pollMs = options.pollIntervalMs ?? 30_000;
      if (pollMs > 0) {
        pollTimer = setInterval(() => !stream?.isConnected && void load(), pollMs);
        unref(pollTimer);
      }
      started = load();
      return started;
    },
    refresh: load,
    async setContext(next) {
      context = next;
      etag = undefined;
      others.clear();
      if (!started) return; // start() loads for it
      if (inflight) await inflight;
      await load();
    },
    async setContextToken(next) {
      tokens.set(next);
      etag = undefined;
      if (!started) return;
      if (inflight) await inflight;
      await load();
    },
    peek: (key) => flags[key]?.value,
    getAll: () => all as Partial<F>,
    getBoolean: (key, defaultValue, ctx) => resolve(key, defaultValue, "boolean", ctx).value,
    getString: (key, defaultValue, ctx) => resolve(key, defaultValue, "string", ctx).value,
    getNumber: (key, defaultValue, ctx) => resolve(key, defaultValue, "number", ctx).value,
    getJson: (key, defaultValue, ctx) => resolve(key, defaultValue, "json", ctx).value,
    getDetails: (key, defaultValue, ctx) => resolve(key, defaultValue, typeOfDefault(defaultValue), ctx),
    async evaluate(key, defaultValue, forContext) {
      if (forContext === undefined || contextId(forContext) === contextId(context)) {
        await client.start();
        return resolve(key, defaultValue, typeOfDefault(defaultValue));
      }
      const answer = await answerFor(forContext);
      if (!answer) return { key, value: defaultValue, reason: "ERROR", errorCode: "GENERAL", errorMessage: "Ensign could not be reached" };
      const details = detailsOf(key, answer.flags[key], defaultValue, typeOfDefault(defaultValue));
      report(details);
      return details;
    },
    subscribe: (key, listener) => emitter.on(`change:${key}`, listener),
    on: ((event: string, listener: (...args: never[]) => void) => emitter.on(event, listener)) as RemoteClient<F>["on"],
    close() {
      stream?.close();
      removeFocus?.();
      clearInterval(pollTimer);
      stream = undefined;
      removeFocus = undefined;
    },
  };
  return client;
}
