import fc from "fast-check";
import type { InjectOptions } from "fastify";
import pg from "pg";
import type { Readable } from "node:stream";
import { createTestApp, type TestApp } from "../helpers/app";
import { HANG_GUARD_MS } from "../helpers/wait";
import {
  BAD_CONTENT_TYPES,
  INVALID_JSON,
  REGEX_BOMBS,
  deepText,
  encodeLoose,
  hostileHeaderValue,
  hostileJson,
  hostileSegment,
  hostileString,
  INVALID_UTF8_SEQUENCES,
  type JsonText,
} from "./inputs";
import { defaultParams, fillPath, type Audience, type HttpMethod, type RouteSpec } from "./routes";
import type { Headers, World } from "./world";

/** A request that has not answered after this is hung, whatever its input. */
export const REQUEST_TIMEOUT_MS = HANG_GUARD_MS;
/** The API's body limit in this suite (small, so oversized bodies are cheap to send). */
export const BODY_LIMIT = 65_536;

export interface HostileRequest {
  /** What is hostile about it, for the failure report. */
  kind: string;
  method: HttpMethod;
  url: string;
  headers: Headers;
  payload?: string | Buffer;
  /** Invalid by construction: anything but a 4xx is a defect. */
  mustRefuse: boolean;
  /** `current`: send the resource's current version in If-Match; `none`: send none. */
  ifMatch: "current" | "none" | "given";
}

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => [[...prefix, i], ...pathsOf(item, [...prefix, i])]);
  if (value && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...pathsOf(item, [...prefix, key])]);
  return [];
}

/** `value` as JSON text with the element at `path` replaced by `replacement` (added when absent). */
function replaced(value: unknown, path: Path, replacement: JsonText): JsonText {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const items = value.map((item, i) => (i === head ? replaced(item, rest, replacement) : JSON.stringify(item)));
    if (typeof head === "number" && head >= value.length) items.push(replaced(undefined, rest, replacement));
    return `[${items.join(",")}]`;
  }
  const record = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const entries = Object.entries(record).map(([key, item]) => `${JSON.stringify(key)}:${key === head ? replaced(item, rest, replacement) : JSON.stringify(item)}`);
  if (!Object.hasOwn(record, String(head))) entries.push(`${JSON.stringify(String(head))}:${replaced(undefined, rest, replacement)}`);
  return `{${entries.join(",")}}`;
}

function hasConditions(value: unknown): boolean {
  return pathsOf(value).some((path) => path.at(-1) === "conditions");
}

interface Part {
  kind: string;
  payload?: string | Buffer;
  contentType?: string;
  query?: string;
  params?: Record<string, string>;
  headers?: Headers;
  mustRefuse?: boolean;
}

/** Hostile bodies for a route whose valid body is `template`. */
function bodyParts(template: unknown, route: string): fc.Arbitrary<Part> {
  const text = JSON.stringify(template);
  const paths = pathsOf(template);
  const path = paths.length ? fc.constantFrom(...paths) : fc.constant<Path>([]);
  const parts: fc.Arbitrary<Part>[] = [
    hostileJson.map((payload) => ({ kind: "body: hostile value", payload, mustRefuse: !payload.startsWith("{") })),
    fc.tuple(path, hostileJson).map(([at, value]) => ({ kind: `body: ${at.join(".")} := hostile`, payload: replaced(template, at, value) })),
    fc.tuple(fc.constantFrom("__proto__", "constructor", "prototype", "\u0000", "\uD800", "x".repeat(300)), hostileJson).map(([key, value]) => ({
      kind: `body: extra key ${JSON.stringify(key.slice(0, 20))}`,
      payload: replaced(template, [key], value),
      mustRefuse: key === "__proto__",
    })),
    fc.tuple(fc.option(path, { nil: undefined }), deepText).map(([at, deep]) => ({ kind: "body: nested too deeply", payload: at ? replaced(template, at, deep) : deep, mustRefuse: true })),
    fc.constantFrom(...INVALID_JSON).map((payload) => ({ kind: "body: invalid JSON", payload, mustRefuse: payload !== '{"a":"\\ud800"}' })),
    fc.constantFrom(...BAD_CONTENT_TYPES).map((contentType) => ({ kind: `body: content type ${contentType}`, payload: text, contentType, mustRefuse: true })),
    fc.tuple(path, fc.constantFrom(...INVALID_UTF8_SEQUENCES)).map(([at, bytes]) => {
      const [before, after] = replaced(template, at, '"@@INVALID_UTF8@@"').split('"@@INVALID_UTF8@@"');
      return {
        kind: `body: ${at.join(".")} := invalid UTF-8 ${bytes.toString("hex")}`,
        payload: Buffer.concat([Buffer.from(`${before}"a`), bytes, Buffer.from(`b"${after ?? ""}`)]),
      };
    }),
  ];
  if (!route.endsWith("/import")) {
    parts.push(fc.integer({ min: BODY_LIMIT, max: BODY_LIMIT * 4 }).map((n) => ({ kind: "body: oversized", payload: `{"a":"${"x".repeat(n)}"}`, mustRefuse: true })));
  }
  const arrays = paths.filter((p) => Array.isArray(p.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], template)));
  if (arrays.length) {
    parts.push(
      fc.tuple(fc.constantFrom(...arrays), fc.integer({ min: 51, max: 12_000 })).map(([at, n]) => {
        const list = at.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], template) as unknown[];
        const item = JSON.stringify(list[0] ?? "k");
        return { kind: `body: ${at.join(".")} with ${n} items`, payload: replaced(template, at, `[${Array(n).fill(item).join(",")}]`) };
      }),
    );
  }
  if (hasConditions(template)) {
    const conditionPath = paths.find((p) => p.at(-1) === "conditions")!;
    parts.push(
      fc.constantFrom(...REGEX_BOMBS).map((pattern) => ({
        kind: `body: matches ${pattern}`,
        payload: replaced(template, conditionPath, JSON.stringify([{ attribute: "email", operator: "matches", values: [pattern] }])),
      })),
    );
  }
  return fc.oneof(...parts);
}

function queryParts(template: Record<string, string> = {}): fc.Arbitrary<Part> {
  const names = [
    ...Object.keys(template),
    ...["page", "pageSize", "env", "search", "__proto__", "constructor", "sort", "order", "format", "apiKey", "contextToken", "context", "accessToken"],
    // Every filter the list routes document: each reaches a query of its own.
    ...["action", "actor", "flag", "flagKey", "tenant", "tenantKey", "member", "tag", "module", "state", "flagState", "type", "targetType"],
    ...["from", "to", "environment", "userKey", "attributes", "include", "status", "archived", "deprecated", "beta", "days", "lastEventId", "key"],
  ];
  const valid = Object.entries(template).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...names), hostileString).map(([name, value]) => ({
      kind: `query: ${name}=hostile`,
      query: [...valid.filter((p) => !p.startsWith(`${name}=`)), `${encodeLoose(name)}=${encodeLoose(value)}`].join("&"),
    })),
    fc.constantFrom(...names).map((name) => ({ kind: `query: ${name} twice`, query: [...valid, `${name}=1`, `${name}=2`].join("&") })),
    fc
      .constantFrom("%", "%ZZ", "a=%00", "page=%ED%A0%80", "__proto__[x]=1", "constructor[prototype][x]=1", "=", "&&&", "page[]=1", "pageSize=-1", "page=1e309", "page=0x10", "pageSize=99999999999999999999", "days=NaN")
      .map((raw) => ({ kind: `query: ${raw}`, query: [...valid, raw].join("&") })),
    fc.integer({ min: 5_000, max: 60_000 }).map((n) => ({ kind: "query: huge", query: [...valid, `search=${"q".repeat(n)}`].join("&") })),
  );
}

function headerParts(isWrite: boolean): fc.Arbitrary<Part> {
  const names = ["x-request-id", "if-none-match", "last-event-id", "x-ensign-context", "accept", "accept-language", "origin"];
  const parts: fc.Arbitrary<Part>[] = [fc.tuple(fc.constantFrom(...names), hostileHeaderValue).map(([name, value]) => ({ kind: `header: ${name}`, headers: { [name]: value } }))];
  if (isWrite) parts.push(hostileHeaderValue.map((value) => ({ kind: `header: if-match ${JSON.stringify(value.slice(0, 20))}`, headers: { "if-match": value } })));
  return fc.oneof(...parts);
}

function paramParts(template: string): fc.Arbitrary<Part> | undefined {
  const names = [...template.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] as string);
  if (!names.length) return undefined;
  return fc.tuple(fc.constantFrom(...names), hostileSegment).map(([name, value]) => ({ kind: `path: :${name} = ${value.slice(0, 40)}`, params: { [name]: value } }));
}

/** A generator of hostile requests to one route, each hostile in one respect. */
export function requestsTo(route: string, spec: RouteSpec, world: World, auth: Headers): fc.Arbitrary<HostileRequest> {
  const [method, template] = route.split(" ") as [HttpMethod, string];
  const isWrite = method !== "GET";
  const params = { ...defaultParams(world, template), ...spec.params };
  const parts: fc.Arbitrary<Part>[] = [queryParts(spec.query), headerParts(isWrite)];
  const pathPart = paramParts(template);
  if (pathPart) parts.push(pathPart);
  if (spec.body !== undefined) parts.push(bodyParts(spec.body, route), bodyParts(spec.body, route));
  const ifMatch = isWrite ? fc.constantFrom<HostileRequest["ifMatch"]>("current", "current", "current", "none") : fc.constant<HostileRequest["ifMatch"]>("none");
  return fc.tuple(fc.oneof(...parts), ifMatch).map(([part, mode]) => {
    const raw = new Set(Object.keys(part.params ?? {}));
    const path = fillPath(template, { ...params, ...part.params }, raw);
    const validQuery = Object.entries(spec.query ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
    const query = part.query ?? validQuery;
    const payload = part.payload ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
    const headers: Headers = { ...auth, ...part.headers };
    if (payload !== undefined) headers["content-type"] = part.contentType ?? "application/json";
    return {
      kind: part.kind,
      method,
      url: query ? `${path}?${query}` : path,
      headers,
      payload,
      mustRefuse: Boolean(part.mustRefuse) && spec.body !== undefined,
      ifMatch: part.headers?.["if-match"] !== undefined ? "given" : mode,
    };
  });
}

/** One md5 over every row of every table, in a fixed order: any write anywhere changes it. */
export async function openChecksum(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ name: string }>(
    "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_%' ORDER BY table_name",
  );
  const sql = `SELECT md5(concat_ws(',', ${rows.map(({ name }) => `(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${name} t)`).join(", ")})) AS sum`;
  const perTableSql = rows.map(({ name }) => `SELECT '${name}' AS name, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${name} t`).join(" UNION ALL ");
  const perTable = async () => new Map((await client.query<{ name: string; sum: string }>(perTableSql)).rows.map((r) => [r.name, r.sum]));
  return {
    tables: rows.map((r) => r.name),
    perTable,
    /** The tables whose rows differ from `before`. */
    async changedTables(before: Map<string, string>): Promise<string[]> {
      const now = await perTable();
      return [...now].filter(([name, sum]) => before.get(name) !== sum).map(([name]) => name);
    },
    async sum(): Promise<string> {
      return (await client.query<{ sum: string }>(sql)).rows[0]!.sum;
    },
    close: () => client.end(),
  };
}

export interface RunStats {
  requests: number;
  routes: Set<string>;
  accepted: number;
  refused: number;
}

/**
 * Sends hostile requests and checks each answer: never a 5xx, never a hang, a 4xx in the
 * error shape, a refusal where the input is invalid by construction, and no change to the
 * database (every table's checksum) by a request that was refused.
 */
export async function createRunner(t: TestApp, world: World, allRoutes: readonly string[]) {
  const checksum = await openChecksum(t.database.url);
  let baseline = await checksum.sum();
  /** Each table's checksum as of `baseline`, to name what a refused request changed. */
  let tables = await checksum.perTable();
  const stats: RunStats = { requests: 0, routes: new Set(), accepted: 0, refused: 0 };
  const failures: string[] = [];

  const getRoutes = allRoutes.filter((r) => r.startsWith("GET ")).map((r) => r.slice(4));
  /** The GET route whose ETag versions a write: the longest one the write's URL starts with. */
  function versionTemplate(template: string): string | undefined {
    return getRoutes.filter((g) => template === g || template.startsWith(`${g}/`)).sort((a, b) => b.length - a.length)[0];
  }

  async function inject(request: InjectOptions, isStream: boolean) {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), REQUEST_TIMEOUT_MS)));
    const res = await Promise.race([t.app.inject({ ...request, payloadAsStream: isStream }), timeout]);
    clearTimeout(timer);
    if (res === "timeout") return { status: 0, body: "", contentType: "", ms: performance.now() - started };
    let body = "";
    if (isStream) {
      const stream = res.stream() as Readable;
      if (res.statusCode >= 300) for await (const chunk of stream) body += String(chunk);
      else stream.destroy();
    } else body = res.body;
    return { status: res.statusCode, body, contentType: String(res.headers["content-type"] ?? ""), ms: performance.now() - started };
  }

  function shapeIssue(body: string, isOfrep: boolean, isBodyIssue: boolean, status: number): string | undefined {
    let parsed: { error?: { code?: unknown; message?: unknown }; errorCode?: unknown };
    try {
      parsed = JSON.parse(body);
    } catch {
      return "the error body is not JSON";
    }
    if (isOfrep && isBodyIssue && status === 400) return typeof parsed.errorCode === "string" ? undefined : "not in OFREP's error shape";
    if (isOfrep && typeof parsed.errorCode === "string") return undefined;
    return typeof parsed.error?.code === "string" && typeof parsed.error.message === "string" ? undefined : "not in the {error:{code,message}} shape";
  }

  async function exercise(route: string, spec: RouteSpec, request: HostileRequest, audienceHeaders: Headers): Promise<void> {
    const template = route.slice(route.indexOf(" ") + 1);
    const headers = { ...request.headers };
    if (request.ifMatch === "current") {
      const versionOf = versionTemplate(template);
      if (versionOf) {
        const params = { ...defaultParams(world, template), ...spec.params };
        const query = versionOf === template ? "" : spec.audience === "tenant" ? "?env=production" : "";
        const res = await t.app.inject({ method: "GET", url: `${fillPath(versionOf, params)}${query}`, headers: audienceHeaders });
        const etag = res.headers.etag;
        if (typeof etag === "string") headers["if-match"] = etag;
        // Some reads are audited (a signing secret shown): the request under test starts from here.
        const sum = await checksum.sum();
        if (sum !== baseline) [baseline, tables] = [sum, await checksum.perTable()];
      }
    }
    const res = await inject({ method: request.method, url: request.url, headers, payload: request.payload }, Boolean(spec.isStream));
    stats.requests++;
    stats.routes.add(route);
    const label = `${route} [${request.kind}] ${request.method} ${request.url.slice(0, 160)}${request.payload === undefined ? "" : ` body ${request.payload.toString().slice(0, 160)}`}`;
    const problems: string[] = [];
    if (res.status === 0) problems.push(`no answer within ${REQUEST_TIMEOUT_MS} ms`);
    else if (res.ms > REQUEST_TIMEOUT_MS) problems.push(`answered after ${Math.round(res.ms)} ms`);
    if (res.status >= 500) problems.push(`answered ${res.status}: ${res.body.slice(0, 200)}`);
    if (res.status >= 400 && res.status < 500) {
      const issue = shapeIssue(res.body, Boolean(spec.isOfrep), request.kind.startsWith("body:"), res.status);
      if (issue) problems.push(`${res.status} ${issue}: ${res.body.slice(0, 200)}`);
    }
    if (request.mustRefuse && res.status > 0 && res.status < 400) problems.push(`accepted an input that is invalid by construction (${res.status}): ${res.body.slice(0, 120)}`);
    const sum = await checksum.sum();
    const isRefused = res.status === 0 || res.status >= 400;
    if (isRefused) {
      stats.refused++;
      if (sum !== baseline) problems.push(`refused with ${res.status} but the database changed (${(await checksum.changedTables(tables)).join(", ")})`);
    } else stats.accepted++;
    if (sum !== baseline) tables = await checksum.perTable();
    baseline = sum;
    if (problems.length) failures.push(`${label}\n    -> ${problems.join("; ")}`);
  }

  return {
    stats,
    failures,
    /** Drives `numRuns` generated requests at one route. */
    async drive(route: string, spec: RouteSpec, auth: Headers, audienceHeaders: Headers, numRuns: number, seed: number) {
      for (const request of fc.sample(requestsTo(route, spec, world, auth), { numRuns, seed })) await exercise(route, spec, request, audienceHeaders);
    },
    exercise,
    close: () => checksum.close(),
  };
}

/** The headers that authenticate as a route's audience. */
export function audienceHeaders(world: World, audience: Audience): Headers {
  switch (audience) {
    case "admin":
      return world.admin;
    case "superadmin":
      return world.superadmin;
    case "tenant":
      return world.tenantAdmin;
    case "client":
      return world.client;
    case "server":
      return world.server;
    case "session":
      return world.spareSession;
    case "public":
      return {};
  }
}

/** The app the hostile suite drives: a small body limit, sign-in unthrottled, and no statistics flush or key last-used write that would move the checksum. */
export function createHostileApp(): Promise<TestApp> {
  return createTestApp({ config: { BODY_LIMIT: String(BODY_LIMIT), LOGIN_RATE_LIMIT: "100000", STATS_FLUSH_INTERVAL: "1h", API_KEY_RECHECK_INTERVAL: "1h" } });
}
