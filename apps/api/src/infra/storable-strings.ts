import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { invalid } from "./errors";

/**
 * PostgreSQL's `text` holds neither the NUL character nor half of a UTF-16 surrogate pair (which
 * has no UTF-8 form): a string carrying one fails the query (error 22021). Such strings are
 * refused at the door, with a 400 naming the field, before any route sees them.
 */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorable(text: string): boolean {
  return !UNSTORABLE.test(text);
}

const MAX_REPORTED_PATH = 120;

function join(path: string, key: string | number): string {
  return typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`;
}

/** The path of the first string (value or object key) in `value` that PostgreSQL cannot store, or null. */
export function firstUnstorable(value: unknown, path: string): string | null {
  if (typeof value === "string") return isStorable(value) ? null : path;
  if (value === null || typeof value !== "object") return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstUnstorable(value[i], join(path, i));
      if (found) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    // A bad key is named by its position, never echoed: it is the unprintable part.
    if (!isStorable(key)) return `${path} (a key)`;
    const found = firstUnstorable((value as Record<string, unknown>)[key], join(path, key));
    if (found) return found;
  }
  return null;
}

/**
 * Paths whose strings are evaluated in memory and never stored: OpenFeature's remote evaluation
 * protocol answers its own `INVALID_CONTEXT` for what it cannot use, and a context value with a
 * NUL in it is just a value that matches no rule.
 */
const IN_MEMORY_ONLY = ["/ofrep/"];

/**
 * Refuses, with 400 `VALIDATION_FAILED`, any request whose path parameters, query values or JSON
 * body (keys included) carry a string PostgreSQL cannot store. One check for every route.
 */
export const storableStringsPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook("preValidation", (request, _reply, done) => {
      if (IN_MEMORY_ONLY.some((prefix) => request.url.startsWith(prefix))) return done();
      const found =
        firstUnstorable(request.params, "params") ?? firstUnstorable(request.query, "query") ?? firstUnstorable(request.body, "body");
      if (!found) return done();
      const field = found.length > MAX_REPORTED_PATH ? `${found.slice(0, MAX_REPORTED_PATH)}…` : found;
      done(
        invalid(`The request is not valid: ${field} holds a NUL character or an unpaired surrogate, which cannot be stored.`, [
          { path: field, message: "must not contain NUL characters or unpaired UTF-16 surrogates" },
        ]),
      );
    });
  },
  { name: "storable-strings" },
);
