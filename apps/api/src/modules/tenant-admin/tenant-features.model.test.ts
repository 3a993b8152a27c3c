import type { TenantFeature } from "@ensign/contracts/tenant-admin";
import { describe, expect, it } from "vitest";
import { refusal } from "./tenant-features.model";

const base: TenantFeature = {
  key: "str_event_pricing",
  name: "Event-Based Pricing",
  description: "",
  module: "STR",
  enabled: false,
  value: false,
  reason: "STATIC",
  detail: "FALLTHROUGH",
  locked: false,
  lockedBy: null,
  isBeta: true,
  feedbackUrl: null,
  tenantManageable: true,
  deprecated: false,
  globallyDisabled: false,
  moduleEnabled: true,
  dependencies: [],
  dependants: [],
  canToggle: true,
  blockedBy: null,
  blockedReason: null,
  override: null,
  version: 0,
};
const feature = (changes: Partial<TenantFeature>): TenantFeature => ({ ...base, ...changes });
const codeOf = (f: TenantFeature, isEnabling: boolean, isForced = false) => refusal(f, isEnabling, { isForced })?.code ?? null;

describe("refusal", () => {
  it("lets a free feature be switched either way", () => {
    expect(codeOf(base, true)).toBeNull();
    expect(codeOf(feature({ enabled: true }), false)).toBeNull();
  });

  it("checks the workspace admins' pins first, then the module, then the kill switch, deprecation and prerequisites", () => {
    const everything = feature({
      lockedBy: "override",
      moduleEnabled: false,
      globallyDisabled: true,
      deprecated: true,
      dependencies: [{ key: "str_pricing_optimizer", name: "Optimizer", isMet: false }],
    });
    expect(codeOf(everything, true)).toBe("FEATURE_LOCKED");
    expect(codeOf({ ...everything, lockedBy: null }, true)).toBe("MODULE_DISABLED");
    expect(codeOf({ ...everything, lockedBy: null, moduleEnabled: true }, true)).toBe("FEATURE_DISABLED");
    expect(codeOf({ ...everything, lockedBy: null, moduleEnabled: true, globallyDisabled: false }, true)).toBe("FLAG_DEPRECATED");
    const unmet = refusal({ ...everything, lockedBy: null, moduleEnabled: true, globallyDisabled: false, deprecated: false }, true, { isForced: false });
    expect(unmet).toMatchObject({ code: "DEPENDENCY_NOT_MET", details: { unmet: ["str_pricing_optimizer"] } });
  });

  it("lets a feature be switched off past the kill switch, deprecation and unmet prerequisites, but not past a pin or an off module", () => {
    const off = feature({ enabled: true, globallyDisabled: true, deprecated: true, dependencies: [{ key: "x", name: "X", isMet: false }] });
    expect(codeOf(off, false)).toBeNull();
    expect(codeOf({ ...off, lockedBy: "allow_list" }, false)).toBe("FEATURE_LOCKED");
    expect(codeOf({ ...off, moduleEnabled: false }, false)).toBe("MODULE_DISABLED");
  });

  it("refuses every switch of a flag that is not tenant-manageable, before anything else", () => {
    const managed = feature({ tenantManageable: false, lockedBy: "override", moduleEnabled: false });
    expect(codeOf(managed, true)).toBe("FEATURE_NOT_MANAGEABLE");
    expect(codeOf({ ...managed, enabled: true }, false)).toBe("FEATURE_NOT_MANAGEABLE");
    expect(refusal(managed, true, { isForced: true })?.message).toMatch(/managed by the workspace admins/);
  });

  it("asks for force before switching off a feature that enabled features depend on", () => {
    const needed = feature({ enabled: true, dependants: ["a", "b"] });
    expect(refusal(needed, false, { isForced: false })).toMatchObject({ code: "HAS_DEPENDANTS", details: { dependants: ["a", "b"] } });
    expect(codeOf(needed, false, true)).toBeNull();
  });
});
