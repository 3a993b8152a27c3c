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

/**
 * Fastify's own JSON body parser (prototype poisoning refused), behind a nesting-depth check:
 * a hostile, deeply nested body is a 400, never a stack overflow.
 */
export const jsonBodyPlugin = fp(
  async (app: FastifyInstance) => {
    const parse = app.getDefaultJsonParser("error", "error");
    app.removeContentTypeParser("application/json");
    app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      const text = body as string;
      if (jsonDepth(text) > MAX_JSON_DEPTH) {
        const error = Object.assign(new Error(`The body nests more than ${MAX_JSON_DEPTH} levels deep.`), { statusCode: 400 });
        done(error, undefined);
        return;
      }
      parse(request, text, done);
    });
  },
  { name: "json-body" },
);
