import { ErrorBody } from "@ensign/contracts/common";
import { CliError, EXIT } from "./errors";

/** Most requests answer in milliseconds; this only stops a hung connection from hanging a pipeline. */
const DEFAULT_TIMEOUT_MS = 60_000;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** The version the write is based on, sent as `If-Match: "<version>"`. */
  ifMatch?: number;
  timeoutMs?: number;
}

export interface ApiClient {
  readonly url: string;
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  get<T>(path: string, query?: RequestOptions["query"]): Promise<T>;
  /** A GET that answers `undefined` for 404 instead of failing: "does it exist?". */
  find<T>(path: string): Promise<T | undefined>;
}

/** Thrown for an answer of the API that is not a success; `status` and `code` tell what. */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    details: string[],
  ) {
    super(message, status === 401 || status === 403 ? EXIT.auth : status >= 500 ? EXIT.unavailable : EXIT.refused, details);
    this.name = "ApiError";
  }
}

/** A path segment: keys are URL-safe by their pattern, but a typo must not become another route. */
export const seg = (value: string) => encodeURIComponent(value);

const USER_AGENT = "ensign-cli";

/** The admin API at `url`, with `token` as the bearer credential on every request. */
export function createApiClient(url: string, token: string): ApiClient {
  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const target = new URL(`${url}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) target.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json", "user-agent": USER_AGENT };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.ifMatch !== undefined) headers["if-match"] = `"${options.ifMatch}"`;
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(`Cannot reach the API at ${url}: ${describeFetchError(error)}`, EXIT.unavailable);
    }
    const text = await response.text();
    if (!response.ok) throw apiError(method, path, response.status, text);
    if (response.status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`The API answered ${method} ${path} with something that is not JSON (HTTP ${response.status}). Is ${url} an Ensign API?`, EXIT.unavailable);
    }
  }

  return {
    url,
    request,
    get: (path, query) => request("GET", path, { query }),
    async find<T>(path: string) {
      try {
        return await request<T>("GET", path);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }
    },
  };
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "no answer in time";
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** The API's own message and field issues, from its one error shape. */
function apiError(method: string, path: string, status: number, text: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = ErrorBody.safeParse(body);
  if (!parsed.success) return new ApiError(`${method} ${path} failed with HTTP ${status}.`, status, "HTTP_ERROR", []);
  const { code, message, details, requestId } = parsed.data.error;
  const lines: string[] = [];
  const issues = (details as { issues?: { path?: string; message?: string }[] } | undefined)?.issues;
  if (Array.isArray(issues)) for (const issue of issues) lines.push(`${issue.path ? `${issue.path}: ` : ""}${issue.message ?? ""}`);
  if (requestId) lines.push(`(${code}, HTTP ${status}, request ${requestId})`);
  else lines.push(`(${code}, HTTP ${status})`);
  return new ApiError(message, status, code, lines);
}

/** Every page of a list, 200 at a time. */
export async function listAll<T>(client: ApiClient, path: string, query: RequestOptions["query"] = {}): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const result = await client.get<{ items: T[]; total: number }>(path, { ...query, page, pageSize: 200 });
    items.push(...result.items);
    if (result.items.length === 0 || items.length >= result.total) return items;
  }
}
