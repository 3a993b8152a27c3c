import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { applyDelta, changedFlagKeys, parseDelta } from "./snapshot";

const flag = (key: string, enabled = true) => ({
  key,
  type: "boolean" as const,
  variants: [
    { key: "on", value: true },
    { key: "off", value: false },
  ],
  offVariant: "off",
  onVariant: "on",
  salt: "s",
  dependsOn: [],
  deprecated: false,
  archived: false,
  state: { enabled, rules: [], fallthrough: { variant: "on" }, tenantAllow: [], tenantDeny: [], tenantOverrides: [], userOverrides: [], version: 1 },
});
const snapshot = (parts: Partial<EnvironmentSnapshot> = {}): EnvironmentSnapshot => ({
  schemaVersion: 1,
  workspace: "ws",
  environment: "production",
  version: 1,
  generatedAt: "",
  flags: [flag("a"), flag("b")],
  segments: [],
  tenants: [],
  identities: [],
  ...parts,
});

describe("changedFlagKeys", () => {
  it("names only the flags that changed", () => {
    expect(changedFlagKeys(snapshot(), snapshot({ flags: [flag("a"), flag("b", false)] }))).toEqual(["b"]);
  });

  it("names every flag when the override layers or the override order change", () => {
    const layers = [{ key: "platform", attribute: "platform", values: ["tiktok"] }];
    expect(changedFlagKeys(snapshot(), snapshot({ layers }))).toEqual(["a", "b"]);
    expect(changedFlagKeys(snapshot({ layers }), snapshot({ layers, precedence: ["user", "tenant", "platform", "rules"] }))).toEqual(["a", "b"]);
    expect(changedFlagKeys(snapshot({ layers }), snapshot({ layers }))).toEqual([]);
  });
});

describe("applyDelta", () => {
  it("puts the flags in place by key, keeps the order and names what a download would", () => {
    const held = snapshot({ flags: [flag("a"), flag("b"), flag("c")] });
    const applied = applyDelta(held, { fromVersion: 1, flags: [flag("c", false), flag("a")] }, 2)!;
    const downloaded = snapshot({ version: 2, flags: [flag("a"), flag("b"), flag("c", false)] });
    expect({ ...applied.snapshot, generatedAt: "" }).toEqual(downloaded);
    expect(applied.changed).toEqual(changedFlagKeys(held, downloaded));
    expect(applied.changed).toEqual(["c"]);
    // The flags it did not carry are the held ones, and the held snapshot is left as it was.
    expect(applied.snapshot.flags[1]).toBe(held.flags[1]);
    expect(held.version).toBe(1);
  });

  it("declines a delta from another version, to an older one, or with a flag not held", () => {
    expect(applyDelta(snapshot(), { fromVersion: 2, flags: [flag("a")] }, 3)).toBeUndefined();
    expect(applyDelta(snapshot(), { fromVersion: 1, flags: [flag("a")] }, 1)).toBeUndefined();
    expect(applyDelta(snapshot(), { fromVersion: 1, flags: [flag("a"), flag("z")] }, 2)).toBeUndefined();
  });
});

describe("parseDelta", () => {
  it("accepts the shape the stream sends and nothing else", () => {
    expect(parseDelta({ fromVersion: 4, flags: [flag("a")] })).toEqual({ fromVersion: 4, flags: [flag("a")] });
    const malformed = [
      null,
      "delta",
      [],
      { fromVersion: 4 },
      { fromVersion: 4.5, flags: [flag("a")] },
      { fromVersion: 4, flags: [] },
      { fromVersion: 4, flags: [null] },
      { fromVersion: 4, flags: [flag("a"), flag("a")] },
      { fromVersion: 4, flags: [{ ...flag("a"), key: "" }] },
      { fromVersion: 4, flags: [{ ...flag("a"), state: null }] },
    ];
    for (const value of malformed) expect(parseDelta(value)).toBeUndefined();
  });
});
