import { SNAPSHOT_SCHEMA_VERSION, type EnvironmentSnapshot } from "@ensign/contracts/snapshot";

/**
 * Accepts a `/v1/config` body that looks like a snapshot of the supported schema version.
 * Deeper defects are the evaluator's to contain: `compile` never throws and answers `ERROR`
 * only for the flags concerned.
 */
export function parseSnapshot(body: unknown): EnvironmentSnapshot | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const snapshot = body as Partial<EnvironmentSnapshot>;
  if (snapshot.schemaVersion !== SNAPSHOT_SCHEMA_VERSION || !Number.isInteger(snapshot.version)) return undefined;
  if (!Array.isArray(snapshot.flags) || !Array.isArray(snapshot.segments) || !Array.isArray(snapshot.tenants) || !Array.isArray(snapshot.identities)) {
    return undefined;
  }
  return snapshot as EnvironmentSnapshot;
}

/**
 * Keys of the flags whose answers may differ between two snapshots: flags added, removed or
 * edited; every flag when the master switch, segments, tenants, identities, override layers or
 * the override order changed (any rule may read them, and the switch and the order decide every flag).
 */
export function changedFlagKeys(before: EnvironmentSnapshot | undefined, after: EnvironmentSnapshot): string[] {
  const previous = new Map((before?.flags ?? []).map((flag) => [flag.key, JSON.stringify(flag)]));
  const keys = new Set([...previous.keys(), ...after.flags.map((flag) => flag.key)]);
  if (before && shared(before) !== shared(after)) return [...keys];
  const current = new Map(after.flags.map((flag) => [flag.key, JSON.stringify(flag)]));
  return [...keys].filter((key) => previous.get(key) !== current.get(key));
}

function shared(snapshot: EnvironmentSnapshot): string {
  return JSON.stringify([snapshot.masterSwitch === true, snapshot.segments, snapshot.tenants, snapshot.identities, snapshot.layers ?? [], snapshot.precedence ?? []]);
}
