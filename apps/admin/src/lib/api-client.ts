import { isOffline, noteAnswer } from "./offline";

/** An error answer of the API, in its one shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Field issues of a 400, keyed by path without the `body.` prefix. */
  get fieldIssues(): Record<string, string> {
    const issues = (this.details as { issues?: { path: string; message: string }[] } | undefined)?.issues ?? [];
    return Object.fromEntries(issues.map((issue) => [issue.path.replace(/^(body|query|params)\./, ""), issue.message]));
  }
}

/** A message a person can act on, for any error. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 412) return "Someone else changed this in the meantime. The latest version is shown; try again.";
    return error.message;
  }
  if (error instanceof TypeError) return "Could not reach Ensign. Check your connection and try again.";
  return error instanceof Error ? error.message : "Something went wrong.";
}

let accessToken: string | undefined;
let refreshing: Promise<boolean> | undefined;
const listeners = new Set<(signedIn: boolean) => void>();

export function setAccessToken(token: string | undefined) {
  accessToken = token;
  for (const listener of listeners) listener(token !== undefined);
}

export function getAccessToken(): string | undefined {
  return accessToken;
}

export function onSessionChange(listener: (signedIn: boolean) => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Trades the httpOnly refresh cookie for a new access token; one attempt at a time. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch("/v1/auth/refresh", { method: "POST", credentials: "same-origin" })
    .then(async (res) => {
      if (!res.ok) {
        setAccessToken(undefined);
        return false;
      }
      setAccessToken(((await res.json()) as { accessToken: string }).accessToken);
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Query-string parameters; undefined, null and empty values are left out. */
  query?: Record<string, string | number | boolean | readonly string[] | undefined | null>;
  /** The version read, sent as If-Match. */
  version?: number;
  signal?: AbortSignal;
  /** `text` returns the body as it came (a download), instead of parsing JSON. */
  responseType?: "json" | "text";
}

export function withQuery(path: string, query: RequestOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Calls the API with the session's access token, refreshing it once on a 401. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const url = withQuery(path, options.query);
  // Offline, the app shows what it last saw and changes nothing (ADR 0026).
  if ((options.method ?? "GET") !== "GET" && isOffline()) {
    throw new ApiError(0, "OFFLINE", "You are offline: Ensign is read-only until the connection is back, and nothing was changed.");
  }
  const send = () => {
    const headers: Record<string, string> = {};
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.version !== undefined) headers["if-match"] = `"${options.version}"`;
    return fetch(url, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
      signal: options.signal,
    });
  };
  let res = await send();
  noteAnswer(res);
  if (res.status === 401 && !path.startsWith("/v1/auth/") && (await refreshSession())) res = await send();
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (res.ok && options.responseType === "text") return text as T;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    // The schema (and zod with it) loads only when an error needs reading, not with the first page.
    const { ErrorBody } = await import("@ensign/contracts/common");
    const parsed = ErrorBody.safeParse(json);
    if (parsed.success) throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
    throw new ApiError(res.status, "INTERNAL", `The server answered ${res.status}.`);
  }
  return json as T;
}
