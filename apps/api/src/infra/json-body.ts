import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Deeper JSON is refused before parsing: recursive validators would overflow the stack on it. */
export const MAX_JSON_DEPTH = 64;

/** How deeply the JSON text nests arrays and objects, stopping early once past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return deepest;
}

/** Whether JSON text could nest deeper than `limit`: never when it opens `limit` arrays and objects or fewer (a cheap bound checked before the exact count). */
export function mayNestDeeperThan(text: string, limit: number): boolean {
  let opened = 0;
  for (let i = text.indexOf("{"); i !== -1; i = text.indexOf("{", i + 1)) if (++opened > limit) return true;
  for (let i = text.indexOf("["); i !== -1; i = text.indexOf("[", i + 1)) if (++opened > limit) return true;
  return false;
}

/**
 * Whether the poisoning check has nothing to look at in this text: it holds no backslash (so no
 * escaped name), neither `__proto__` nor `constructor`, and no byte-order mark. Empty text is not
 * plain: it has its own error.
 */
export function isPlainJson(text: string): boolean {
  return text.length > 0 && text.charCodeAt(0) !== 0xfeff && !text.includes("\\") && !text.includes("__proto__") && !text.includes("constructor");
}

/** The parser of JSON body text: what the JSON body parser does, callable on its own. */
export type JsonTextParser = (text: string) => unknown;

/**
 * Fastify's own JSON body parser (prototype poisoning refused) behind the nesting-depth check,
 * as a function of the body's text: the value, or it throws what the body parser reports (a
 * 400: Fastify's empty- and invalid-body errors, or the depth error).
 */
export function createJsonTextParser(app: FastifyInstance): JsonTextParser {
  const parse = app.getDefaultJsonParser("error", "error");
  return (text) => {
    if (mayNestDeeperThan(text, MAX_JSON_DEPTH) && jsonDepth(text) > MAX_JSON_DEPTH) {
      throw Object.assign(new Error(`The body nests more than ${MAX_JSON_DEPTH} levels deep.`), { statusCode: 400 });
    }
    // Text that cannot name `__proto__` or `constructor` (no such word, no escape that could spell
    // one) parses to the same value as the poisoning-checked parser; anything else, invalid JSON
    // included, takes that parser and its errors.
    if (isPlainJson(text)) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // answered below, with the body parser's own error
      }
    }
    let failure: Error | null = null;
    let value: unknown;
    // Fastify's parser answers through its callback, synchronously; it does not read the request.
    parse(undefined as never, text, (error, parsed) => {
      failure = error;
      value = parsed;
    });
    if (failure) throw failure;
    return value;
  };
}

/** Fastify's JSON body parser behind the nesting-depth check: a hostile, deeply nested body is a 400, never a stack overflow. */
export const jsonBodyPlugin = fp(
  async (app: FastifyInstance) => {
    const parse = createJsonTextParser(app);
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
      let value: unknown;
      try {
        value = parse(body as string);
      } catch (error) {
        done(error as Error, undefined);
        return;
      }
      done(null, value);
    });
  },
  { name: "json-body" },
);
