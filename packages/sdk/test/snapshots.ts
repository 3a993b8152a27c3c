import type { EnvironmentSnapshot, SnapshotFlag } from "@ensign/contracts/snapshot";

const BOOLEAN_VARIANTS = [
  { key: "on", value: true },
  { key: "off", value: false },
];

/** A boolean flag, off unless a tenant override (or `fallthrough`) turns it on. */
export function booleanFlag(key: string, options: { on?: string[]; enabled?: boolean; fallthrough?: "on" | "off"; module?: string; dependsOn?: string[] } = {}): SnapshotFlag {
  return {
    key,
    type: "boolean",
    variants: BOOLEAN_VARIANTS,
    offVariant: "off",
    onVariant: "on",
    salt: `${key}-salt`,
    module: options.module ?? null,
    dependsOn: options.dependsOn ?? [],
    deprecated: false,
    archived: false,
    state: {
      enabled: options.enabled ?? true,
      rules: [],
      fallthrough: { variant: options.fallthrough ?? "off" },
      tenantAllow: [],
      tenantDeny: [],
      tenantOverrides: (options.on ?? []).map((tenantKey) => ({ tenantKey, variant: "on", locked: false })),
      userOverrides: [],
      version: 1,
    },
  };
}

/**
 * The producer portal of seed 000 plus flags of every type, rules, splits, segments, modules
 * and prerequisites, so evaluations through the SDK cover every step of the evaluator.
 */
export function portalSnapshot(): EnvironmentSnapshot {
  return {
    schemaVersion: 1,
    workspace: "piquetickets",
    environment: "production",
    version: 1,
    generatedAt: "2026-01-01T00:00:00.000Z",
    flags: [
      booleanFlag("knowledge_base_enabled", { on: ["desert-laughs", "phoenix-improv-collective"] }),
      booleanFlag("ai_agents_enabled", { on: ["tucson-theatre-works"] }),
      booleanFlag("additional_services_enabled", { on: ["phoenix-improv-collective"] }),
      booleanFlag("fin_ai_extraction", { fallthrough: "on", module: "FIN" }),
      booleanFlag("fin_duplicate_detection", { fallthrough: "on", dependsOn: ["fin_ai_extraction"], module: "FIN" }),
      booleanFlag("kill_switched", { enabled: false, fallthrough: "on" }),
      {
        ...booleanFlag("checkout_theme"),
        type: "string",
        variants: [
          { key: "classic", value: "classic" },
          { key: "modern", value: "modern" },
        ],
        offVariant: "classic",
        onVariant: "modern",
        state: {
          ...booleanFlag("x").state,
          rules: [{ id: "pro-plan", conditions: [{ attribute: "tenant.plan", operator: "in", values: ["pro"] }], serve: { variant: "modern" } }],
          fallthrough: { variant: "classic" },
          userOverrides: [{ userKey: "user-7", variant: "modern" }],
        },
      },
      {
        ...booleanFlag("max_seats"),
        type: "number",
        variants: [
          { key: "small", value: 10 },
          { key: "large", value: 500 },
        ],
        offVariant: "small",
        onVariant: "large",
        state: {
          ...booleanFlag("x").state,
          rules: [{ id: "beta", conditions: [{ attribute: "targetingKey", operator: "in_segment", values: ["beta-producers"] }], serve: { variant: "large" } }],
          fallthrough: { split: { allocations: [{ variant: "small", weight: 50_000 }, { variant: "large", weight: 50_000 }] } },
        },
      },
      {
        ...booleanFlag("banner"),
        type: "json",
        variants: [
          { key: "none", value: null },
          { key: "sale", value: { text: "Half price", color: "red" } },
        ],
        offVariant: "none",
        onVariant: "sale",
        state: { ...booleanFlag("x").state, fallthrough: { variant: "sale" } },
      },
    ],
    segments: [{ key: "beta-producers", includedUsers: ["user-1", "user-2"], excludedUsers: [], includedTenants: [], excludedTenants: [], rules: [] }],
    tenants: [
      { key: "arizona-comedy", attributes: { plan: "pro" }, disabledModules: [] },
      { key: "desert-laughs", attributes: { plan: "standard" }, disabledModules: ["FIN"] },
      { key: "phoenix-improv-collective", attributes: { plan: "standard" }, disabledModules: [] },
      { key: "tucson-theatre-works", attributes: { plan: "pro" }, disabledModules: [] },
    ],
    identities: [],
  };
}

/** Turns a tenant override of `flag` on (or off) in `snapshot`. */
export function setTenantFeature(snapshot: EnvironmentSnapshot, flagKey: string, tenantKey: string, isOn: boolean): void {
  const flag = snapshot.flags.find((f) => f.key === flagKey)!;
  flag.state.tenantOverrides = flag.state.tenantOverrides.filter((o) => o.tenantKey !== tenantKey);
  if (isOn) flag.state.tenantOverrides.push({ tenantKey, variant: "on", locked: false });
  flag.state.version += 1;
}
