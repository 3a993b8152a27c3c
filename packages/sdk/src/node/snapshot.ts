import type { StreamDelta } from "@ensign/contracts/portal";
import { SNAPSHOT_SCHEMA_VERSION, type EnvironmentSnapshot, type SnapshotFlag } from "@ensign/contracts/snapshot";

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

/**
 * Accepts a change event's `delta` that looks like one: an integer `fromVersion` and a non-empty
 * list of flags, each an object with a key of its own (none twice) and a state. Anything else is
 * undefined, and the caller downloads the snapshot instead. As with `parseSnapshot`, deeper
 * defects of a flag are the evaluator's to contain.
 */
export function parseDelta(value: unknown): StreamDelta | undefined {
  if (!isRecord(value)) return undefined;
  const { fromVersion, flags } = value;
  if (!Number.isInteger(fromVersion) || !Array.isArray(flags) || flags.length === 0) return undefined;
  const keys = new Set<string>();
  for (const flag of flags as unknown[]) {
    if (!isRecord(flag) || typeof flag.key !== "string" || flag.key === "" || keys.has(flag.key) || !isRecord(flag.state)) return undefined;
    keys.add(flag.key);
  }
  return { fromVersion: fromVersion as number, flags: flags as SnapshotFlag[] };
}

/**
 * The snapshot at `version` with the delta's flags in place of the same keys, and the keys whose
 * flag differs (what `changedFlagKeys` would name for a download of that version). Undefined
 * when the snapshot is not at `delta.fromVersion` or lacks one of the flags: only a download
 * knows where a new flag goes.
 */
export function applyDelta(snapshot: EnvironmentSnapshot, delta: StreamDelta, version: number): { snapshot: EnvironmentSnapshot; changed: string[] } | undefined {
  if (snapshot.version !== delta.fromVersion || !Number.isInteger(version) || version <= delta.fromVersion) return undefined;
  const incoming = new Map(delta.flags.map((flag) => [flag.key, flag]));
  const flags = snapshot.flags.slice();
  const changed: string[] = [];
  let found = 0;
  for (let i = 0; i < flags.length && found < incoming.size; i++) {
    const next = incoming.get(flags[i]!.key);
    if (!next) continue;
    found += 1;
    if (JSON.stringify(flags[i]) !== JSON.stringify(next)) changed.push(next.key);
    flags[i] = next;
  }
  if (found !== incoming.size) return undefined;
  return { snapshot: { ...snapshot, version, generatedAt: new Date().toISOString(), flags }, changed };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
