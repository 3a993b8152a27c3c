import { describe, expect, it } from "vitest";
import { effectiveRole } from "./auth";

describe("effectiveRole", () => {
  it("is the caller's own role, never raised by a token's maximum", () => {
    expect(effectiveRole("owner", null)).toBe("owner");
    expect(effectiveRole("owner", "viewer")).toBe("viewer");
    expect(effectiveRole("editor", "admin")).toBe("editor");
    expect(effectiveRole("admin", "editor")).toBe("editor");
    expect(effectiveRole("viewer", "admin")).toBe("viewer");
  });

  it("keeps a tenant admin's role only for an unnarrowed token", () => {
    expect(effectiveRole("tenant_admin", null)).toBe("tenant_admin");
    expect(effectiveRole("tenant_admin", "admin")).toBeUndefined();
  });
});
