import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import type { TenantFlagValue } from "@ensign/contracts/tenants";
import { compile, evaluate } from "@ensign/evaluator";
import { describe, expect, it } from "vitest";
import { snapshotFlag } from "../../../test/helpers/snapshot-builders";
import type { Tx } from "../../infra/db/scoped";
import { createTenantEvaluation, isOn, type CompiledSnapshots } from "./tenant-evaluation";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

const flag = snapshotFlag;

const tenantKeys = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, "0")}`);

/** Every way a tenant's answer is decided: rules, segments, splits, lists, overrides live and expired, modules, prerequisites. */
const snapshot: EnvironmentSnapshot = {
  schemaVersion: 1,
  workspace: "ws",
  environment: "production",
  version: 7,
  generatedAt: at(NOW),
  flags: [
    flag({ key: "off" }),
    flag({ key: "static-on", state: { fallthrough: { variant: "on" } } }),
    flag({ key: "switched-off", state: { enabled: false, fallthrough: { variant: "on" } } }),
    flag({ key: "split", state: { fallthrough: { split: { allocations: [{ variant: "on", weight: 40_000 }, { variant: "off", weight: 60_000 }] } } } }),
    flag({ key: "by-plan", state: { rules: [{ id: "pro", conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }], serve: { variant: "on" } }] } }),
    flag({ key: "by-segment", state: { rules: [{ id: "beta", conditions: [{ attribute: "tenantKey", operator: "in_segment", values: ["beta"] }], serve: { variant: "on" } }] } }),
    flag({ key: "listed", state: { fallthrough: { variant: "on" }, tenantAllow: ["t01"], tenantDeny: ["t02", "t03"] } }),
    flag({
      key: "overridden",
      state: {
        tenantOverrides: [
          { tenantKey: "t04", variant: "on", locked: false, expiresAt: null },
          { tenantKey: "t05", variant: "on", locked: false, expiresAt: at(NOW + HOUR) },
          { tenantKey: "t06", variant: "on", locked: true, expiresAt: at(NOW - HOUR) },
        ],
        userOverrides: [{ userKey: "t07", variant: "on", expiresAt: null }],
      },
    }),
    flag({ key: "in-module", module: "FIN", state: { fallthrough: { variant: "on" } } }),
    flag({ key: "needs-plan", dependsOn: ["by-plan"], state: { fallthrough: { variant: "on" } } }),
    flag({
      key: "colour",
      type: "string",
      variants: [
        { key: "none", value: "" },
        { key: "red", value: "red" },
      ],
      offVariant: "none",
      onVariant: "red",
      state: { fallthrough: { split: { allocations: [{ variant: "red", weight: 50_000 }, { variant: "none", weight: 50_000 }] } } },
    }),
    flag({ key: "gone", archived: true, state: { fallthrough: { variant: "on" } } }),
  ],
  segments: [
    { key: "beta", includedUsers: [], excludedUsers: [], includedTenants: ["t08"], excludedTenants: ["t09"], rules: [{ conditions: [{ attribute: "tenant.region", operator: "in", values: ["eu"] }] }] },
  ],
  tenants: tenantKeys.map((key, i) => ({ key, attributes: { plan: i % 3 === 0 ? "pro" : "free", region: i % 4 === 0 ? "eu" : "us" }, disabledModules: i % 5 === 0 ? ["FIN"] : [] })),
  identities: [],
};

const compiled = compile(snapshot);
const environment = { id: "env-1", key: "production", snapshotVersion: 7 };
const store: CompiledSnapshots = {
  peek: () => ({ version: 7, compiled, meta: { workspaceId: "ws", hasIdentities: false } }),
  refresh: async () => undefined,
};
// The view reads the store's snapshot: no transaction is needed.
const noTransaction = undefined as unknown as Tx;

/** What the evaluator answers for the tenant's context, as a tenant value. */
function expected(flagKey: string, tenantKey: string, now: number): TenantFlagValue {
  const result = evaluate(compiled, flagKey, { targetingKey: tenantKey, tenantKey }, { now });
  const stored = compiled.flags.get(flagKey)!;
  return {
    value: result.value,
    ...(result.variant === undefined ? {} : { variant: result.variant }),
    reason: result.reason,
    detail: result.detail,
    isOn: isOn({ type: stored.type, offVariant: stored.off.key }, result),
  };
}

describe("tenant evaluation over the replica's snapshot", () => {
  it("answers every tenant and live flag as the evaluator does, one flag or all at once", async () => {
    const view = await createTenantEvaluation({ snapshots: store, now: () => NOW }).load(noTransaction, "ws", environment, { tenantKeys });
    expect(view.flagKeys).toEqual(snapshot.flags.filter((f) => !f.archived).map((f) => f.key).sort());
    const onFor = new Map<string, number>();
    for (const tenantKey of [...tenantKeys, "unknown-tenant"]) {
      const values = view.valuesOf(tenantKey);
      expect(Object.keys(values)).toEqual(view.flagKeys);
      for (const flagKey of view.flagKeys) {
        const answer = expected(flagKey, tenantKey, NOW);
        expect({ tenantKey, flagKey, value: values[flagKey] }).toEqual({ tenantKey, flagKey, value: answer });
        expect(view.valueOf(tenantKey, flagKey)).toEqual(answer);
        expect(view.isOnFor(tenantKey, flagKey)).toBe(answer.isOn);
        if (answer.isOn) onFor.set(flagKey, (onFor.get(flagKey) ?? 0) + 1);
      }
    }
    // The snapshot decides differently for different tenants: every flag but the constant ones splits them.
    for (const flagKey of ["split", "by-plan", "by-segment", "listed", "overridden", "in-module", "needs-plan", "colour"]) {
      expect({ flagKey, on: onFor.get(flagKey) ?? 0 }).not.toEqual({ flagKey, on: 0 });
      expect({ flagKey, on: onFor.get(flagKey) }).not.toEqual({ flagKey, on: tenantKeys.length + 1 });
    }
  });

  it("moves with the clock: an override that expires stops counting, whatever was answered before", async () => {
    let clock = NOW;
    const evaluation = createTenantEvaluation({ snapshots: store, now: () => clock });
    const before = await evaluation.load(noTransaction, "ws", environment, { tenantKeys });
    expect(before.valueOf("t05", "overridden")).toMatchObject({ isOn: true, detail: "TENANT_OVERRIDE" });
    clock = NOW + 2 * HOUR;
    const after = await evaluation.load(noTransaction, "ws", environment, { tenantKeys });
    expect(after.valueOf("t05", "overridden")).toEqual(expected("overridden", "t05", clock));
    expect(after.isOnFor("t05", "overridden")).toBe(false);
    expect(after.valuesOf("t05").overridden).toMatchObject({ isOn: false, detail: "FALLTHROUGH" });
    expect(before.isOnFor("t05", "overridden")).toBe(true);
  });

  it("hands tenants with the same answer the same frozen value", async () => {
    const view = await createTenantEvaluation({ snapshots: store, now: () => NOW }).load(noTransaction, "ws", environment, { tenantKeys });
    const first = view.valuesOf("t10");
    const second = view.valuesOf("t11");
    expect(second["static-on"]).toBe(first["static-on"]);
    expect(Object.isFrozen(first["static-on"])).toBe(true);
    expect(view.valueOf("t12", "static-on")).toBe(first["static-on"]);
  });
});
