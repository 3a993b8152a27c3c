import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { createJsonTextParser, jsonDepth, MAX_JSON_DEPTH } from "./json-body";

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
});
