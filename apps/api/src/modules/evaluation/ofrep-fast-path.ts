import type { FastifyBaseLogger } from "fastify";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { FastPath } from "../../infra/fast-paths";
import type { Metrics } from "../../infra/metrics";
import { REQUEST_ID_HEADER, requestIdOf } from "../../infra/request-id";
import type { EvaluationCors } from "./evaluation-cors";
import { JSON_TYPE, type OfrepAnswer, type OfrepProtocol } from "./ofrep-protocol";

const PREFIX = "/ofrep/v1/evaluate/flags";
/** Flag keys the fast path takes as they are; anything else (escapes, slashes, a query) goes to Fastify's router. */
const PLAIN_KEY = /^[A-Za-z0-9_.~-]{1,500}$/;
const isJson = (type: string | undefined) => type === "application/json" || type === "application/json; charset=utf-8";

/**
 * Whether each evaluation request is logged: only at `debug` and `trace` (the OFREP routes log
 * at `warn` otherwise). Then requests go through Fastify, which writes those lines.
 */
export const logsEvaluations = (log: FastifyBaseLogger) => (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.("debug") ?? false;

export interface OfrepFastPathOptions {
  ofrep: OfrepProtocol;
  bodyLimit: number;
  cors: EvaluationCors | undefined;
  log: FastifyBaseLogger;
  /** While the replica drains before stopping, Fastify answers (and closes each connection). */
  isDraining: () => boolean;
  /** Counts each answer as Fastify's hook counts its own requests. */
  metrics?: Pick<Metrics, "httpRequest">;
}

const SINGLE_ROUTE = "/ofrep/v1/evaluate/flags/:key";
const BULK_ROUTE = "/ofrep/v1/evaluate/flags";

/**
 * OFREP evaluation (`POST /ofrep/v1/evaluate/flags[/{key}]` with a JSON body of known length
 * within the limit) straight on the HTTP server, answered by the same protocol as the Fastify
 * routes, with the headers Fastify adds to them (request id, CORS). Anything else — another
 * content type, a chunked or oversized body, an unusual URL — is left to Fastify.
 */
export function createOfrepFastPath({ ofrep, bodyLimit, cors, log, isDraining, metrics }: OfrepFastPathOptions): FastPath {
  // Decided once, as the OFREP routes' own log level is.
  const isLoggedOneByOne = logsEvaluations(log);
  function write(response: ServerResponse, headers: IncomingHttpHeaders, requestId: string, answer: OfrepAnswer) {
    // Names and values in one flat list: what `writeHead` takes with the least work per header.
    const out: string[] = [];
    const own = answer.headers;
    for (const name in own) out.push(name, own[name]!);
    out.push(REQUEST_ID_HEADER, requestId, "x-content-type-options", "nosniff");
    if (cors) {
      const added: Record<string, string> = {};
      cors.addHeaders(headers.origin, added);
      for (const name in added) out.push(name, added[name]!);
    }
    if (answer.body !== undefined) out.push("content-length", String(Buffer.byteLength(answer.body)));
    response.writeHead(answer.status, out);
    response.end(answer.body);
  }

  function counted(started: number, flagKey: string | undefined, status: number) {
    metrics?.httpRequest("POST", flagKey === undefined ? BULK_ROUTE : SINGLE_ROUTE, status, (performance.now() - started) / 1000);
  }

  /** Never expected (the protocol answers its own failures): logged, and a 500 in OFREP's shape if the answer has not started. */
  function fail(response: ServerResponse, requestId: string, error: unknown) {
    log.error({ reqId: requestId, err: error }, "unhandled error");
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = JSON.stringify({ errorDetails: "Something went wrong on our side." });
    response.writeHead(500, {
      "content-type": JSON_TYPE,
      "content-length": String(Buffer.byteLength(body)),
      [REQUEST_ID_HEADER]: requestId,
      "x-content-type-options": "nosniff",
    });
    response.end(body);
  }

  function answer(request: IncomingMessage, response: ServerResponse, flagKey: string | undefined) {
    const started = performance.now();
    response.once("finish", () => counted(started, flagKey, response.statusCode));
    const headers = request.headers;
    const requestId = requestIdOf(headers);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("error", () => response.destroy());
    request.on("end", () => {
      try {
        // Decoded once, whole, so a character split across chunks stays intact.
        const body = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
        const answered = ofrep({ flagKey, headers, body, requestId });
        if (answered instanceof Promise) {
          answered.then(
            (settled) => write(response, headers, requestId, settled),
            (error: unknown) => fail(response, requestId, error),
          );
        } else {
          write(response, headers, requestId, answered);
        }
      } catch (error) {
        fail(response, requestId, error);
      }
    });
  }

  return function ofrepFastPath(request, response) {
    if (request.method !== "POST") return false;
    const url = request.url!;
    if (!url.startsWith(PREFIX)) return false;
    let flagKey: string | undefined;
    if (url.length > PREFIX.length) {
      if (url.charCodeAt(PREFIX.length) !== 47 /* / */) return false;
      flagKey = url.slice(PREFIX.length + 1);
      if (!PLAIN_KEY.test(flagKey)) return false;
    }
    const headers = request.headers;
    if (!isJson(headers["content-type"]) || headers["transfer-encoding"] !== undefined) return false;
    const length = Number(headers["content-length"]);
    if (!(length <= bodyLimit) || isLoggedOneByOne || isDraining()) return false;
    answer(request, response, flagKey);
    return true;
  };
}
