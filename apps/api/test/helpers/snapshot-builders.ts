import { SNAPSHOT_SCHEMA_VERSION, type EnvironmentSnapshot, type SnapshotFlag } from "@ensign/contracts/snapshot";

/** A flag as `snapshotFlag` takes it: its key, and only what differs from a plain switched-on boolean flag. */
export type SnapshotFlagInput = Partial<Omit<SnapshotFlag, "state">> & { key: string; state?: Partial<SnapshotFlag["state"]> };

/**
 * A stored snapshot's flag for unit tests: boolean (`on` / `off`), switched on, no targeting,
 * serving `off`, salted with its key; `state` is merged over that.
 */
export function snapshotFlag({ state, ...rest }: SnapshotFlagInput): SnapshotFlag {
  return {
    type: "boolean",
    variants: [
      { key: "on", value: true },
      { key: "off", value: false },
    ],
    offVariant: "off",
    onVariant: "on",
    salt: rest.key,
    module: null,
    dependsOn: [],
    deprecated: false,
    archived: false,
    ...rest,
    state: { enabled: true, rules: [], fallthrough: { variant: "off" }, tenantAllow: [], tenantDeny: [], tenantOverrides: [], userOverrides: [], version: 1, ...state },
  };
}

/** A stored environment snapshot for unit tests: `production` of workspace `acme` at version 7, with these flags and nothing else unless given. */
export function environmentSnapshot(flags: SnapshotFlag[], rest: Partial<EnvironmentSnapshot> = {}): EnvironmentSnapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    workspace: "acme",
    environment: "production",
    version: 7,
    generatedAt: "2026-12-01T00:00:00.000Z",
    masterSwitch: false,
    flags,
    segments: [],
    roles: [],
    tenants: [],
    identities: [],
    ...rest,
  };
}
