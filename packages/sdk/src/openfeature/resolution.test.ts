import { describe, expect, it } from "vitest";
import { toResolution } from "./resolution";

describe("toResolution", () => {
  it("passes Ensign's answer through, detail as metadata", () => {
    expect(toResolution({ key: "f", value: true, variant: "on", reason: "TARGETING_MATCH", detail: "RULE:r1" })).toEqual({
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
      errorCode: undefined,
      errorMessage: undefined,
      flagMetadata: { detail: "RULE:r1" },
    });
  });

  it("makes a split without a key to bucket by TARGETING_KEY_MISSING, as the OFREP endpoints do", () => {
    const resolution = toResolution({ key: "f", value: false, variant: "off", reason: "DEFAULT", detail: "FALLTHROUGH:NO_BUCKET_KEY" });
    expect(resolution.errorCode).toBe("TARGETING_KEY_MISSING");
    expect(toResolution({ key: "f", value: false, variant: "off", reason: "DEFAULT", detail: "FALLTHROUGH" }).errorCode).toBeUndefined();
  });
});
