import fc from "fast-check";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { createJsonTextParser, isPlainJson, jsonDepth, mayNestDeeperThan, MAX_JSON_DEPTH } from "./json-body";

describe("jsonDepth", () => {
  it("counts nesting of arrays and objects, ignoring brackets inside strings", () => {
    expect(jsonDepth("1")).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{\\"]]"}')).toBe(1);
  });

  it("stops counting once past the limit", () => {
    expect(jsonDepth("[".repeat(1_000_000), 64)).toBe(65);
  });
});

describe("mayNestDeeperThan", () => {
  it("is false whenever the text opens no more arrays and objects than the limit", () => {
    expect(mayNestDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(mayNestDeeperThan('{"a":[1,{"b":2}]}', 2)).toBe(true);
    // Brackets in strings count: the bound only has to be safe.
    expect(mayNestDeeperThan('{"a":"[[["}', 3)).toBe(true);
  });

  it("never misses text nesting deeper than the limit", () => {
    fc.assert(
      fc.property(fc.json({ depthSize: "large" }), fc.integer({ min: 0, max: 8 }), (text, limit) => {
        if (jsonDepth(text, limit) > limit) expect(mayNestDeeperThan(text, limit)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("isPlainJson", () => {
  it("lets through only text the poisoning check has nothing to find in", () => {
    expect(isPlainJson('{"context":{"targetingKey":"u"}}')).toBe(true);
    expect(isPlainJson("")).toBe(false);
    expect(isPlainJson('\ufeff{"a":1}')).toBe(false);
    expect(isPlainJson('{"__proto__":{}}')).toBe(false);
    expect(isPlainJson('{"constructor":{}}')).toBe(false);
    expect(isPlainJson('{"\\u005f_proto__":{}}')).toBe(false);
  });
});

describe("createJsonTextParser", () => {
  const parse = createJsonTextParser(Fastify());
  const failure = (text: string) => {
    try {
      parse(text);
    } catch (error) {
      return { code: (error as { code?: string }).code, statusCode: (error as { statusCode?: number }).statusCode, message: (error as Error).message };
    }
    throw new Error(`parsed: ${text}`);
  };

  it("parses JSON of any shape within the depth bound", () => {
    expect(parse('{"context":{"a":[1,"x",null]}}')).toEqual({ context: { a: [1, "x", null] } });
    expect(parse("[1]")).toEqual([1]);
    expect(parse(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`)).toBeInstanceOf(Array);
  });

  it("refuses what the JSON body parser refuses, with a 400", () => {
    expect(failure("")).toMatchObject({ code: "FST_ERR_CTP_EMPTY_JSON_BODY", statusCode: 400 });
    expect(failure("{nope")).toMatchObject({ code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 });
    expect(failure('{"__proto__":{"isAdmin":true}}')).toMatchObject({ code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 });
    expect(failure('{"constructor":{"prototype":{"isAdmin":true}}}')).toMatchObject({ code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 });
    const deep = MAX_JSON_DEPTH + 1;
    expect(failure(`${"[".repeat(deep)}${"]".repeat(deep)}`)).toEqual({ code: undefined, statusCode: 400, message: `The body nests more than ${MAX_JSON_DEPTH} levels deep.` });
    expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });

  it("answers exactly as Fastify's own JSON body parser does, value or error", () => {
    const fastify = Fastify().getDefaultJsonParser("error", "error");
    const viaFastify = (text: string) => {
      let outcome: unknown;
      fastify(undefined as never, text, (error, value) => {
        outcome = error ? { code: (error as { code?: string }).code } : { value };
      });
      return outcome;
    };
    const viaOurs = (text: string) => {
      try {
        return { value: parse(text) };
      } catch (error) {
        return { code: (error as { code?: string }).code };
      }
    };
    const poison = fc.constantFrom('"__proto__"', '"constructor"', '"\\u005f_proto__"', '"prototype"', "\\", "\ufeff", "{", "]", ":", ",");
    const texts = fc.oneof(
      fc.json(),
      fc.tuple(fc.json(), fc.nat(), poison).map(([text, at, piece]) => text.slice(0, at % (text.length + 1)) + piece + text.slice(at % (text.length + 1))),
      fc.string(),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const expected = viaFastify(text);
        const actual = viaOurs(text);
        // The same value, or the same error; both parsers see the text within the depth bound here.
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
      }),
      { numRuns: 3000 },
    );
  });
});
