import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { changedFlagKeys } from "./snapshot";

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
