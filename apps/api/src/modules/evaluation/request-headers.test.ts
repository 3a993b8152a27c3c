import { describe, expect, it } from "vitest";
import { withRequestHeaders } from "./request-headers";

describe("withRequestHeaders", () => {
  it("returns the same context when nothing is exposed", () => {
    const context = { targetingKey: "ana" };
    expect(withRequestHeaders(context, [], { "x-platform": "tiktok" })).toBe(context);
  });

  it("adds only exposed headers the request carries, to a copy, replacing claimed ones", () => {
    const context = { targetingKey: "ana", header: { "x-platform": "claimed" }, "header.x-platform": "claimed", plan: "pro" };
    const snapshot = structuredClone(context);
    const result = withRequestHeaders(context, ["x-platform", "x-channel"], { "x-platform": "tiktok", "x-other": "ignored" });
    expect(result).toEqual({ targetingKey: "ana", plan: "pro", header: { "x-platform": "tiktok" } });
    expect(context).toEqual(snapshot);
  });

  it("takes the first of repeated values and cuts long ones to 256 characters", () => {
    const result = withRequestHeaders({}, ["x-a", "x-b"], { "x-a": ["first", "second"], "x-b": "y".repeat(400) });
    expect(result.header).toEqual({ "x-a": "first", "x-b": "y".repeat(256) });
  });

  it("keeps a __proto__ key of the context a plain key", () => {
    const context = JSON.parse('{"__proto__":{"polluted":true},"targetingKey":"ana"}') as Record<string, unknown>;
    const result = withRequestHeaders(context, ["x-a"], {});
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
