import { describe, expect, it } from "vitest";
import { contextTime, expiryTime, parseDateOperand } from "./dates";
import { errorText, frozenJson, isTruthy, jsonEqual, jsonRecord, show } from "./json";

describe("JSON helpers", () => {
  it("copies JSON deeply and frozen, refusing what is not JSON", () => {
    const copy = frozenJson({ a: [1, { b: "x" }], c: null }) as { a: unknown[] };
    expect(copy).toEqual({ a: [1, { b: "x" }], c: null });
    expect(Object.isFrozen(copy.a[1])).toBe(true);
    expect([frozenJson(Number.NaN), frozenJson([1, undefined]), frozenJson({ f: () => 1 }), frozenJson(Symbol("s"))]).toEqual([undefined, undefined, undefined, undefined]);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(frozenJson(deep)).toBeUndefined();
  });

  it("keeps a __proto__ key as data", () => {
    const copy = frozenJson(JSON.parse('{"__proto__": {"admin": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect(jsonRecord(JSON.parse('{"__proto__": 1, "a": 2}'))).toEqual(JSON.parse('{"__proto__": 1, "a": 2}'));
    expect(jsonRecord("x")).toEqual({});
  });

  it("compares JSON structurally", () => {
    expect(jsonEqual({ a: [1, 2], b: { c: null } }, { b: { c: null }, a: [1, 2] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(jsonEqual({ a: 1 }, { b: 1 })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual(1, "1")).toBe(false);
  });

  it("knows what is truthy for a prerequisite", () => {
    expect([true, "x", 1, {}, []].map(isTruthy)).toEqual([true, true, true, true, true]);
    expect([false, "", 0, Number.NaN, null, undefined].map(isTruthy)).toEqual([false, false, false, false, false, false]);
  });

  it("renders anything for a trace without throwing", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect([show("x"), show(undefined), show(cyclic), show("y".repeat(100)).length]).toEqual(['"x"', "undefined", "object", 80]);
    expect([errorText(new Error("m")), errorText("s")]).toEqual(["m", "s"]);
  });
});

describe("dates", () => {
  it("parses operands once", () => {
    expect(parseDateOperand("now")).toEqual({ ms: 0, isRelative: true });
    expect(parseDateOperand("now-2h")).toEqual({ ms: -7_200_000, isRelative: true });
    expect(parseDateOperand("2025-01-01T00:00:00Z")).toEqual({ ms: Date.parse("2025-01-01T00:00:00Z"), isRelative: false });
    expect(parseDateOperand("someday")).toBeUndefined();
  });

  it("reads context times and expiries", () => {
    expect([contextTime(5), contextTime("1970-01-01T00:00:00.005Z"), contextTime(true)]).toEqual([5, 5, Number.NaN]);
    expect([expiryTime(null), expiryTime(undefined), expiryTime("1970-01-01T00:00:00.005Z"), expiryTime(5)]).toEqual([Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 5, Number.NaN]);
  });
});
