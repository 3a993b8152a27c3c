import type { EvaluationContext } from "@ensign/contracts/evaluation";
import type { EnvironmentSnapshot, SnapshotFlag } from "@ensign/contracts/snapshot";
import type { Condition, Rule } from "@ensign/contracts/targeting";

/**
 * The flag shapes of the benchmark, each written three times: as an Ensign snapshot flag, as an
 * Unleash feature (strategies, constraints) and as a flagd flag (JSONLogic targeting). The three
 * forms decide the same way; `evaluator.bench.ts` checks that before timing anything.
 */

export interface UnleashConstraint {
  contextName: string;
  operator: "IN" | "STR_ENDS_WITH" | "NUM_GT";
  values?: string[];
  value?: string;
}
export interface UnleashFeature {
  name: string;
  enabled: boolean;
  strategies: { name: string; parameters: Record<string, string>; constraints: UnleashConstraint[] }[];
}
export type FlagdFlag = { state: "ENABLED"; variants: { on: true; off: false }; defaultVariant: "off"; targeting: unknown };

export interface Shape {
  ensign: SnapshotFlag;
  unleash: UnleashFeature;
  flagd: FlagdFlag;
}

export const TENANTS = Array.from({ length: 100 }, (_, i) => `tenant-${String(i).padStart(3, "0")}`);
const COUNTRIES = ["NO", "SE", "DK"];

function ensignFlag(key: string, rules: Rule[], tenantOverrides: SnapshotFlag["state"]["tenantOverrides"] = []): SnapshotFlag {
  return {
    key,
    type: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    offVariant: "off",
    onVariant: "on",
    salt: key,
    module: null,
    dependsOn: [],
    deprecated: false,
    archived: false,
    state: { enabled: true, rules, fallthrough: { variant: "off" }, tenantAllow: [], tenantDeny: [], tenantOverrides, userOverrides: [], version: 1 },
  };
}

const ruleOn = (id: string, condition: Condition): Rule => ({ id, conditions: [condition], serve: { variant: "on" } });
const flagdFlag = (targeting: unknown): FlagdFlag => ({ state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off", targeting });

/** (a) A boolean flag: one constraint (country), then a 50 % split by user. */
export function splitShape(key: string): Shape {
  return {
    ensign: ensignFlag(key, [
      {
        id: "nordics",
        conditions: [{ attribute: "country", operator: "in", values: COUNTRIES }],
        serve: { split: { allocations: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } },
      },
    ]),
    unleash: {
      name: key,
      enabled: true,
      strategies: [
        {
          name: "flexibleRollout",
          parameters: { rollout: "50", stickiness: "userId", groupId: key },
          constraints: [{ contextName: "country", operator: "IN", values: COUNTRIES }],
        },
      ],
    },
    flagd: flagdFlag({ if: [{ in: [{ var: "country" }, COUNTRIES] }, { fractional: [["on", 50], ["off", 50]] }, "off"] }),
  };
}

/** (b) Five rules; the contexts match only the last. */
export function fiveRulesShape(key: string): Shape {
  return {
    ensign: ensignFlag(key, [
      ruleOn("staff", { attribute: "email", operator: "ends_with", values: ["@acme.io"] }),
      ruleOn("americas", { attribute: "country", operator: "in", values: ["US", "CA"] }),
      ruleOn("enterprise", { attribute: "plan", operator: "in", values: ["enterprise"] }),
      ruleOn("large", { attribute: "seats", operator: "gt", values: [100] }),
      ruleOn("paid", { attribute: "plan", operator: "in", values: ["pro", "team"] }),
    ]),
    unleash: {
      name: key,
      enabled: true,
      strategies: [
        { contextName: "email", operator: "STR_ENDS_WITH", values: ["@acme.io"] },
        { contextName: "country", operator: "IN", values: ["US", "CA"] },
        { contextName: "plan", operator: "IN", values: ["enterprise"] },
        { contextName: "seats", operator: "NUM_GT", value: "100" },
        { contextName: "plan", operator: "IN", values: ["pro", "team"] },
      ].map((constraint) => ({ name: "default", parameters: {}, constraints: [constraint as UnleashConstraint] })),
    },
    flagd: flagdFlag({
      if: [
        { ends_with: [{ var: "email" }, "@acme.io"] },
        "on",
        { in: [{ var: "country" }, ["US", "CA"]] },
        "on",
        { in: [{ var: "plan" }, ["enterprise"]] },
        "on",
        { ">": [{ var: "seats" }, 100] },
        "on",
        { in: [{ var: "plan" }, ["pro", "team"]] },
        "on",
        "off",
      ],
    }),
  };
}

/** (c) A tenant override hit: 100 tenants overridden on; Unleash and flagd model it as a tenant list. */
export function tenantShape(key: string): Shape {
  return {
    ensign: ensignFlag(key, [], TENANTS.map((tenantKey) => ({ tenantKey, variant: "on", locked: false }))),
    unleash: {
      name: key,
      enabled: true,
      strategies: [{ name: "default", parameters: {}, constraints: [{ contextName: "tenantKey", operator: "IN", values: TENANTS }] }],
    },
    flagd: flagdFlag({ if: [{ in: [{ var: "tenantKey" }, TENANTS] }, "on", "off"] }),
  };
}

/** One context in each engine's own form, built before timing so no conversion is measured. */
export interface Contexts {
  ensign: EvaluationContext[];
  unleash: { userId: string; properties: Record<string, string> }[];
  flagd: Record<string, string | number>[];
}

/** `count` users, all matching what the shapes look for (Nordic, paid plan, a known tenant). */
export function contexts(count: number): Contexts {
  const ensign = Array.from({ length: count }, (_, i) => ({
    targetingKey: `user-${i}`,
    tenantKey: TENANTS[i % TENANTS.length] as string,
    country: COUNTRIES[i % COUNTRIES.length] as string,
    email: `user-${i}@example.com`,
    plan: i % 2 === 0 ? "pro" : "team",
    seats: 5 + (i % 50),
  }));
  return {
    ensign,
    unleash: ensign.map(({ targetingKey, seats, ...rest }) => ({ userId: targetingKey, properties: { ...rest, seats: String(seats) } })),
    flagd: ensign.map((context) => ({ ...context })),
  };
}

export function ensignSnapshot(flags: SnapshotFlag[]): EnvironmentSnapshot {
  return {
    schemaVersion: 1,
    workspace: "bench",
    environment: "production",
    version: 1,
    generatedAt: new Date(0).toISOString(),
    flags,
    segments: [],
    tenants: TENANTS.map((key) => ({ key, attributes: { plan: "pro" }, disabledModules: [] })),
    identities: [],
  };
}
