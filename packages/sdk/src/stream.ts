import type { StreamChangeEvent } from "@ensign/contracts/portal";
import { backoffDelay, type BackoffOptions } from "./backoff";
import { anySignal, buildUrl, stripQuery, type FetchLike } from "./http";
import { readEventStream, SseParser } from "./sse";
import { EnsignError } from "./types";

/** The browser's EventSource constructor (or a compatible one). */
export type EventSourceLike = new (url: string) => {
  onopen: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  addEventListener(type: string, listener: (event: { data: string; lastEventId?: string }) => void): void;
  close(): void;
};

/**
 * A `change` event as the stream hands it on. `delta` (server keys' streams, for a change that
 * touched only some flags) is passed as it arrived, unchecked: the caller validates it.
 */
export type StreamChange = Omit<StreamChangeEvent, "delta"> & { delta?: unknown };

export interface ChangeStreamOptions {
  baseUrl: string;
  /**
   * Credentials for each (re)connection: headers for the fetch transport, the same as query
   * parameters for EventSource (which cannot send headers). Asked anew so tokens can refresh.
   */
  credentials(isRetry: boolean): Promise<{ headers: Record<string, string>; query: Record<string, string | undefined> }>;
  /** `auto` uses EventSource when the runtime has one, the fetch reader otherwise. */
  transport: "auto" | "eventsource" | "fetch";
  fetch: FetchLike;
  EventSource?: EventSourceLike | undefined;
  backoff?: BackoffOptions;
  /** Reconnect when nothing (not even a `: ping`) arrived for this long. Fetch transport only. */
  heartbeatTimeoutMs: number;
  onOpen(): void;
  onChange(event: StreamChange): void;
  /** An identity's stored traits changed (`event: identity`, server keys' streams only). */
  onIdentity?(event: { environment: string; key: string }): void;
  onError(error: EnsignError): void;
}

export interface ChangeStream {
  readonly isConnected: boolean;
  close(): void;
}

/**
 * `GET /v1/stream` kept open: reconnects after any failure with exponential backoff and
 * jitter, resumes with `Last-Event-ID`, and calls `onOpen` on every (re)connection so the
 * caller can catch up on what it missed while away.
 */
export function openChangeStream(options: ChangeStreamOptions): ChangeStream {
  let closed = false;
  let connected = false;
  let attempt = 0;
  let lastEventId: string | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stopCurrent: (() => void) | undefined;
  let isUnsupported = false;
  const EventSourceCtor = options.EventSource ?? (globalThis as { EventSource?: EventSourceLike }).EventSource;
  const useEventSource = options.transport === "eventsource" || (options.transport === "auto" && EventSourceCtor !== undefined);

  const handleData = (data: string, id: string | undefined) => {
    if (id) lastEventId = id;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return options.onError(new EnsignError("STREAM", "The stream sent a change event that is not JSON"));
    }
    const change = event as Partial<StreamChangeEvent>;
    if (typeof change?.version !== "number" || typeof change.environment !== "string") {
      return options.onError(new EnsignError("STREAM", "The stream sent a change event of an unexpected shape"));
    }
    const delta = (event as { delta?: unknown }).delta;
    options.onChange(delta === undefined ? { environment: change.environment, version: change.version } : { environment: change.environment, version: change.version, delta });
  };

  const handleIdentity = (data: string) => {
    try {
      const event = JSON.parse(data) as { environment?: unknown; key?: unknown };
      if (typeof event?.key === "string" && typeof event.environment === "string") options.onIdentity?.({ environment: event.environment, key: event.key });
    } catch {
      options.onError(new EnsignError("STREAM", "The stream sent an identity event that is not JSON"));
    }
  };

  const opened = () => {
    connected = true;
    attempt = 0;
    options.onOpen();
  };

  const failed = (error: EnsignError) => {
    stopCurrent?.();
    stopCurrent = undefined;
    connected = false;
    if (closed) return;
    options.onError(error);
    if (isUnsupported) return;
    const delay = backoffDelay(attempt++, options.backoff);
    retryTimer = setTimeout(connect, delay);
    unref(retryTimer);
  };

  const connectEventSource = (query: Record<string, string | undefined>) => {
    // EventSource cannot send Last-Event-ID on a new connection; the API also reads it from the query.
    const source = new EventSourceCtor!(buildUrl(options.baseUrl, "/v1/stream", { ...query, lastEventId }));
    // EventSource's own retry cannot back off or give up on a 401; this loop does both.
    stopCurrent = () => source.close();
    source.onopen = opened;
    source.onerror = () => failed(new EnsignError("STREAM", "The change stream broke; reconnecting"));
    source.addEventListener("change", (event) => handleData(event.data, event.lastEventId || undefined));
    source.addEventListener("identity", (event) => handleIdentity(event.data));
  };

  const connectFetch = (credentialHeaders: Record<string, string>) => {
    const controller = new AbortController();
    let heartbeat: ReturnType<typeof setTimeout> | undefined;
    const armHeartbeat = () => {
      clearTimeout(heartbeat);
      heartbeat = setTimeout(() => controller.abort(new Error("heartbeat timeout")), options.heartbeatTimeoutMs);
      unref(heartbeat);
    };
    stopCurrent = () => {
      clearTimeout(heartbeat);
      controller.abort();
    };
    const url = buildUrl(options.baseUrl, "/v1/stream");
    const headers: Record<string, string> = { accept: "text/event-stream", "cache-control": "no-cache", ...credentialHeaders };
    if (lastEventId) headers["last-event-id"] = lastEventId;
    armHeartbeat();
    const parser = new SseParser({
      onEvent: (event) => {
        if (event.event === "change") handleData(event.data, event.id);
        else if (event.event === "identity") handleIdentity(event.data);
      },
    });
    void (async () => {
      const response = await options.fetch(url, { headers, signal: anySignal([controller.signal]) });
      if (response.ok && !response.body) {
        // React Native's fetch, for one, cannot read a response as it arrives: retrying would never help.
        isUnsupported = true;
        throw new EnsignError("STREAM", "This runtime cannot read a streamed response; polling instead");
      }
      if (!response.ok || !response.body) {
        const code = response.status === 401 || response.status === 403 ? "UNAUTHORIZED" : "STREAM";
        throw new EnsignError(code, `${stripQuery(url)} answered ${response.status}`, { status: response.status });
      }
      opened();
      armHeartbeat();
      await readEventStream(response.body, parser, armHeartbeat);
      throw new EnsignError("STREAM", "The change stream ended; reconnecting");
    })().catch((error: unknown) => {
      if (closed) return;
      const reason = error instanceof EnsignError ? error : new EnsignError("STREAM", `The change stream broke: ${(error as Error)?.message ?? error}`, { cause: error });
      failed(reason);
    });
  };

  function connect() {
    if (closed) return;
    options.credentials(attempt > 0).then(
      ({ headers, query }) => {
        if (closed) return;
        if (useEventSource && EventSourceCtor) connectEventSource(query);
        else connectFetch(headers);
      },
      (error: unknown) => failed(new EnsignError("STREAM", `No credentials for the change stream: ${(error as Error)?.message ?? error}`, { cause: error })),
    );
  }

  connect();
  return {
    get isConnected() {
      return connected;
    },
    close() {
      closed = true;
      connected = false;
      clearTimeout(retryTimer);
      stopCurrent?.();
    },
  };
}

/** Lets Node exit while only SDK timers are pending; a no-op in browsers. */
export function unref(timer: unknown): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}
