import { EnsignError } from "./types";

/** The `fetch` the SDK uses; inject one for tests, proxies or older runtimes. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type ConditionalResult<T> = { notModified: true } | { notModified: false; body: T; etag: string | undefined };

/** `url` joined with `path` and the defined query parameters. */
export function buildUrl(base: string, path: string, query: Record<string, string | undefined> = {}): string {
  const url = new URL(path.replace(/^\//, ""), base.endsWith("/") ? base : `${base}/`);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * GET with `If-None-Match` and a timeout. Resolves 304 as `notModified`; turns every failure
 * (network, timeout, non-2xx, unreadable JSON) into an `EnsignError`.
 */
export async function conditionalGet<T>(
  fetchFn: FetchLike,
  url: string,
  options: { headers: Record<string, string>; etag?: string; timeoutMs: number; signal?: AbortSignal; parse: (body: unknown) => T | undefined },
): Promise<ConditionalResult<T>> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (options.etag) headers["if-none-match"] = options.etag;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? anySignal([options.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url, { method: "GET", headers, signal });
    if (response.status === 304) return { notModified: true };
    text = await response.text();
  } catch (cause) {
    if (timeout.aborted) throw new EnsignError("TIMEOUT", `No answer from ${stripQuery(url)} within ${options.timeoutMs} ms`, { cause });
    throw new EnsignError("NETWORK", `Could not reach ${stripQuery(url)}: ${(cause as Error)?.message ?? cause}`, { cause });
  }
  if (!response.ok) {
    const code = response.status === 401 || response.status === 403 ? "UNAUTHORIZED" : "HTTP";
    throw new EnsignError(code, `${stripQuery(url)} answered ${response.status}${errorMessageOf(text)}`, { status: response.status });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new EnsignError("BAD_RESPONSE", `${stripQuery(url)} answered something that is not JSON`, { cause });
  }
  const body = options.parse(json);
  if (body === undefined) throw new EnsignError("BAD_RESPONSE", `${stripQuery(url)} answered JSON of an unexpected shape`);
  return { notModified: false, body, etag: response.headers.get("etag") ?? undefined };
}

/** An AbortSignal that aborts when any of `signals` does (AbortSignal.any is missing before Node 20.3). */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/** Credentials travel in query strings only for EventSource; keep them out of messages. */
export function stripQuery(url: string): string {
  const index = url.indexOf("?");
  return index === -1 ? url : url.slice(0, index);
}

function errorMessageOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === "string" ? `: ${message}` : "";
  } catch {
    return "";
  }
}
