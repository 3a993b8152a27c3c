import type { ErrorCode, FieldIssue } from "@ensign/contracts/common";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { AppError, statusOf } from "./errors";
import { translatePrismaError } from "./prisma-errors";

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "VALIDATION_FAILED",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  412: "VERSION_MISMATCH",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  428: "PRECONDITION_REQUIRED",
  429: "RATE_LIMITED",
  503: "SERVICE_UNAVAILABLE",
};

function send(reply: FastifyReply, request: FastifyRequest, status: number, code: ErrorCode, message: string, details?: unknown) {
  return reply
    .code(status)
    .type("application/json; charset=utf-8")
    .send({ error: { code, message, ...(details === undefined ? {} : { details }), requestId: request.id } });
}

function validationIssues(error: FastifyError): FieldIssue[] {
  const context = (error as { validationContext?: string }).validationContext ?? "body";
  return (error.validation ?? []).map((issue) => {
    const path = issue.instancePath.replace(/^\//, "").replace(/\//g, ".");
    return { path: path ? `${context}.${path}` : context, message: issue.message ?? "is not valid" };
  });
}

/**
 * Whether PostgreSQL (or the pool in front of it) cannot be reached, or cannot keep up, right
 * now: a transaction that could not start in time or ran past its timeout (Prisma's P2028 on an
 * overloaded or starved server) is worth retrying, like a refused connection. P2028 for a
 * transaction used after it was committed is a bug, and stays a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? "";
  const message = (error as Error)?.message ?? "";
  if (code === "P2028") return /expired transaction|in the given time/i.test(message);
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|57P01|57P03|08000|08001|08003|08006|P1001|P1017|P2024|timeout exceeded when trying to connect|Connection terminated|connect ECONN|Can't reach database|Query read timeout/i.test(
    `${code} ${message}`,
  );
}

/**
 * Errors Fastify raises while routing, before any handler or hook runs: a URL that is not valid
 * percent-encoding (400) and a path parameter past the router's length bound (414). Answered
 * in the one error shape too, with a fixed message that never echoes the hostile URL.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header("x-request-id", request.id).header("x-content-type-options", "nosniff");
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    return send(reply, request, 414, "VALIDATION_FAILED", "A part of the path is too long.");
  }
  if (error.code === "FST_ERR_BAD_URL") {
    return send(reply, request, 400, "VALIDATION_FAILED", "The URL is not validly percent-encoded.");
  }
  request.log.error({ err: error }, "routing failed");
  return send(reply, request, 500, "INTERNAL", "Something went wrong on our side.");
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a bare CR in a header, headers or
 * a URL past `--max-http-header-size`, a request that did not arrive in time) are answered in the
 * one error shape too, on the raw socket, and the connection is closed. A reset connection gets
 * nothing: there is no one to answer.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "The request did not arrive in time."]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "The request's URL and headers are too large."]
        : [400, "The request is not valid HTTP."];
  const code: ErrorCode = "VALIDATION_FAILED";
  const body = JSON.stringify({ error: { code, message, requestId: randomUUID() } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * The one error shape, `{error: {code, message, details?, requestId}}`, for every failure:
 * our AppErrors, request validation (400 naming each bad field), Fastify's own 4xx, an
 * unreachable database (503), and anything unexpected (500, logged, never shown).
 */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((raw: FastifyError, request, reply) => {
      const error = translatePrismaError(raw) as FastifyError;
      if (error instanceof AppError) {
        if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
        if (error.code === "RATE_LIMITED" && !reply.hasHeader("retry-after")) reply.header("retry-after", "60");
        return send(reply, request, error.status, error.code, error.message, error.details);
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const issues = validationIssues(error);
        const fields = issues.map((issue) => issue.path).join(", ");
        return send(reply, request, 400, "VALIDATION_FAILED", `The request is not valid: ${fields}.`, { issues });
      }
      if (isResponseSerializationError(error)) {
        request.log.error({ err: error, issues: error.cause.issues }, "response does not match its schema");
        return send(reply, request, 500, "INTERNAL", "Something went wrong on our side.");
      }
      if (isDatabaseUnavailable(error)) {
        request.log.error({ err: error }, "database unavailable");
        reply.header("retry-after", "5");
        return send(reply, request, 503, "SERVICE_UNAVAILABLE", "The database cannot be reached or cannot keep up; try again shortly.");
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const code = CODE_BY_STATUS[status] ?? "VALIDATION_FAILED";
        const message =
          error.code === "FST_ERR_CTP_INVALID_JSON_BODY" || error instanceof SyntaxError
            ? "The body is not valid JSON."
            : error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
              ? "The body is too large."
              : error.message;
        return send(reply, request, status, code, message);
      }
      request.log.error({ err: error }, "unhandled error");
      return send(reply, request, 500, "INTERNAL", "Something went wrong on our side.");
    });

    app.setNotFoundHandler((request, reply) =>
      send(reply, request, statusOf("NOT_FOUND"), "NOT_FOUND", `No route ${request.method} ${request.url.split("?")[0]}.`),
    );
  },
  { name: "error-handler" },
);
