import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "./errors";

/**
 * The version a write is based on, from `If-Match: "<version>"` (weak tags and bare numbers
 * are accepted too). Writes to existing resources require it: no lost updates.
 */
export function requireIfMatch(request: FastifyRequest): number {
  const header = request.headers["if-match"];
  if (header === undefined || header === "") {
    throw new AppError("PRECONDITION_REQUIRED", 'This write needs an If-Match header with the version you read, e.g. If-Match: "3".');
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(header).trim());
  if (!match) {
    throw new AppError("VALIDATION_FAILED", 'If-Match must be the resource version, e.g. If-Match: "3".', {
      details: { issues: [{ path: "headers.if-match", message: "must be a version number" }] },
    });
  }
  return Number(match[1]);
}

/** The version of `If-Match` when the header is there (writes that may also create), else undefined. */
export function optionalIfMatch(request: FastifyRequest): number | undefined {
  const header = request.headers["if-match"];
  return header === undefined || header === "" ? undefined : requireIfMatch(request);
}

export function staleVersion(what: string, current: number): AppError {
  return new AppError("VERSION_MISMATCH", `${what} was changed by someone else (now at version ${current}); reload and try again.`, {
    details: { currentVersion: current },
  });
}

/** Sets the ETag of a versioned resource. */
export function withVersion<T extends { version: number }>(reply: FastifyReply, resource: T): T {
  reply.header("etag", `"${resource.version}"`);
  return resource;
}
