import type { SnapshotFlag } from "@ensign/contracts/snapshot";
import { describe, expect, it } from "vitest";
import { environmentSnapshot, snapshotFlag } from "../../../test/helpers/snapshot-builders";
import { applyDelta, canonicalContent, parseDelta } from "./snapshot-deltas";

const flag = (key: string, enabled: boolean, userOverrides: SnapshotFlag["state"]["userOverrides"] = []): SnapshotFlag =>
  snapshotFlag({ key, state: { enabled, fallthrough: { variant: "on" }, userOverrides } });

const snapshot = (flags: SnapshotFlag[]) => environmentSnapshot(flags);

describe("applying a delta", () => {
  it("replaces the delta's flags in place and shares everything else", () => {
    const before = snapshot([flag("a", false), flag("b", false), flag("c", false)]);
    const applied = applyDelta(before, { fromVersion: 7, flags: [flag("c", true), flag("a", true)] }, 8, new Date("2026-12-02T00:00:00.000Z"))!;
    expect(applied.stored.flags.map((f) => [f.key, f.state.enabled])).toEqual([
      ["a", true],
      ["b", false],
      ["c", true],
    ]);
    expect(applied.stored).toMatchObject({ version: 8, generatedAt: "2026-12-02T00:00:00.000Z" });
    expect(applied.stored.flags[1]).toBe(before.flags[1]);
    expect(applied.stored.segments).toBe(before.segments);
    expect(applied.replaced).toEqual([before.flags[0], before.flags[2]]);
    // The snapshot it was made from is left as it was.
    expect(before.flags.map((f) => f.state.enabled)).toEqual([false, false, false]);
  });

  it("puts a flag the snapshot does not hold yet where a full load does: in code-point order of keys", () => {
    const before = snapshot([flag("a", false), flag("m", false), flag("m_b", false), flag("z", false)]);
    const applied = applyDelta(before, { fromVersion: 7, flags: [flag("zz", true), flag("m-a", true), flag("m", true), flag("0", true), flag("m.c", true)] }, 8);
    // "-" (0x2d) and "." (0x2e) sort before "_" (0x5f), digits before letters: as COLLATE "C" sorts.
    expect(applied.stored.flags.map((f) => f.key)).toEqual(["0", "a", "m", "m-a", "m.c", "m_b", "z", "zz"]);
    expect(applied.added).toEqual(["0", "m-a", "m.c", "zz"]);
    expect(applied.replaced).toEqual([before.flags[1]]);
    expect(applied.stored.flags[1]).toBe(before.flags[0]);
  });

  it("replaces and adds tenants by key as it does flags, leaving the flags shared", () => {
    const tenant = (key: string, plan: string) => ({ key, attributes: { plan }, disabledModules: [] });
    const before = { ...snapshot([flag("a", false)]), tenants: [tenant("acme", "free"), tenant("globex", "free")] };
    const applied = applyDelta(before, { fromVersion: 7, flags: [], tenants: [tenant("globex", "pro"), tenant("aaa", "pro")] }, 8);
    expect(applied.stored.tenants.map((t) => [t.key, t.attributes.plan])).toEqual([
      ["aaa", "pro"],
      ["acme", "free"],
      ["globex", "pro"],
    ]);
    expect(applied.replacedTenants).toEqual([before.tenants[1]]);
    expect(applied.stored.flags).toEqual(before.flags);
    expect(applied.replaced).toEqual([]);
  });

  it("accepts only deltas shaped as one: a version and flags with keys and states, tenants with keys, attributes and modules", () => {
    expect(parseDelta({ fromVersion: 3, flags: [flag("a", true)] })).toEqual({ fromVersion: 3, flags: [flag("a", true)] });
    const acme = { key: "acme", attributes: {}, disabledModules: ["FIN"] };
    expect(parseDelta({ fromVersion: 3, flags: [], tenants: [acme] })).toEqual({ fromVersion: 3, flags: [], tenants: [acme] });
    expect(parseDelta({ fromVersion: 3, flags: [flag("a", true)], tenants: [] })).toEqual({ fromVersion: 3, flags: [flag("a", true)] });
    for (const malformed of [
      null,
      "x",
      { fromVersion: 3 },
      { fromVersion: 1.5, flags: [flag("a", true)] },
      { fromVersion: 3, flags: [] },
      { fromVersion: 3, flags: [{ key: "a" }] },
      { fromVersion: 3, flags: [], tenants: [] },
      { fromVersion: 3, flags: [], tenants: "acme" },
      { fromVersion: 3, flags: [], tenants: [{ key: "acme", attributes: {} }] },
      { fromVersion: 3, flags: [], tenants: [{ ...acme, attributes: [] }] },
    ]) {
      expect(parseDelta(malformed)).toBeUndefined();
    }
  });
});

describe("comparing two builds of one version", () => {
  it("ignores when each was made and overrides expired since, and sees any other difference", () => {
    const now = new Date("2026-12-02T00:00:00.000Z");
    const expired = { userKey: "u1", variant: "on", expiresAt: "2026-12-01T12:00:00.000Z" };
    const live = { userKey: "u2", variant: "on", expiresAt: "2026-12-03T00:00:00.000Z" };
    const earlier = snapshot([flag("a", true, [expired, live])]);
    const later = { ...snapshot([flag("a", true, [live])]), generatedAt: now.toISOString() };
    expect(canonicalContent(earlier, now)).toBe(canonicalContent(later, now));
    expect(canonicalContent(snapshot([flag("a", false, [live])]), now)).not.toBe(canonicalContent(later, now));
  });
});
