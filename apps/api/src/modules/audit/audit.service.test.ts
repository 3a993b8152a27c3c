import { describe, expect, it } from "vitest";
import { AppError } from "../../infra/errors";
import { decodeCursor, encodeCursor, filtersOf } from "./audit.service";

describe("audit cursors and filters", () => {
  it("round-trips a cursor and refuses one it did not make", () => {
    const position = { at: new Date("2026-03-01T12:00:00.123Z"), id: 9_007_199_254_740_993n };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of ["", "abc", Buffer.from("1.2.3").toString("base64url"), Buffer.from("-1.5").toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });

  it.each([
    [{ action: "flag." }, { action: { prefix: "flag." } }],
    [{ action: "tenant_override*" }, { action: { prefix: "tenant_override" } }],
    [{ action: "flag.created" }, { action: { exact: "flag.created" } }],
    [{ actor: "Ada@Example.test" }, { actor: { email: "ada@example.test" } }],
    [{ actor: "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B" }, { actor: { id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b" } }],
    [{ actor: "system" }, { actor: { type: "system" } }],
  ])("reads %j", (query, expected) => {
    expect(filtersOf(query)).toMatchObject(expected);
  });
});
