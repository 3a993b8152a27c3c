import type { EnvironmentSnapshot, SnapshotFlag, SnapshotFlagState, SnapshotSegment, SnapshotTenant } from "@ensign/contracts/snapshot";
import type { Condition, Rule, Serve } from "@ensign/contracts/targeting";

/** The moment every test evaluates at unless it says otherwise. */
export const NOW = Date.parse("2025-06-01T12:00:00.000Z");
export const DAY = 86_400_000;

type FlagInput = Partial<Omit<SnapshotFlag, "state">> & { key: string; state?: Partial<SnapshotFlagState> };

/** A boolean flag, on, serving `off` by default, with variants `on`/`off`; override any part. */
export function flag(input: FlagInput): SnapshotFlag {
  const { state, ...rest } = input;
  return {
    type: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    offVariant: "off",
    onVariant: "on",
    salt: "salt",
    module: null,
    dependsOn: [],
    deprecated: false,
    archived: false,
    ...rest,
    state: {
      enabled: true,
      rules: [],
      fallthrough: { variant: "off" },
      tenantAllow: [],
      tenantDeny: [],
      tenantOverrides: [],
      userOverrides: [],
      version: 1,
      ...state,
    },
  };
}

/** A snapshot holding the given parts. */
export function snapshot(parts: Partial<EnvironmentSnapshot> = {}): EnvironmentSnapshot {
  return {
    schemaVersion: 1,
    workspace: "ws",
    environment: "production",
    version: 7,
    generatedAt: "2025-06-01T00:00:00.000Z",
    flags: [],
    segments: [],
    tenants: [],
    identities: [],
    ...parts,
  };
}

export function rule(id: string, conditions: Condition[], serve: Serve = { variant: "on" }): Rule {
  return { id, conditions, serve };
}

export function when(attribute: string, operator: Condition["operator"], values: Condition["values"] = [], negate?: boolean): Condition {
  return negate === undefined ? { attribute, operator, values } : { attribute, operator, values, negate };
}

/** A split of `percent` % `on`, the rest `off`. */
export function rollout(percent: number, bucketBy?: string): Serve {
  const weight = Math.round(percent * 1000);
  const allocations = [
    { variant: "on", weight },
    { variant: "off", weight: 100_000 - weight },
  ];
  return { split: bucketBy === undefined ? { allocations } : { allocations, bucketBy } };
}

export function tenant(key: string, attributes: SnapshotTenant["attributes"] = {}, disabledModules: string[] = []): SnapshotTenant {
  return { key, attributes, disabledModules };
}

export function segment(key: string, parts: Partial<SnapshotSegment> = {}): SnapshotSegment {
  return { key, includedUsers: [], excludedUsers: [], includedTenants: [], excludedTenants: [], rules: [], ...parts };
}
