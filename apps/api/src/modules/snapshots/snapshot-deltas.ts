import type { EnvironmentSnapshot, SnapshotFlag } from "@ensign/contracts/snapshot";
import type { SnapshotDelta } from "../../infra/changes";
import type { Tx } from "../../infra/db/scoped";
import { buildSnapshot } from "./snapshot-builder";
import { snapshotsRepository as repo } from "./snapshots.repository";

/** Largest delta (its flags' JSON, in characters) sent with a change; beyond it replicas reload. */
const DELTA_LIMIT_CHARS = 256 * 1024;
/** More flags than this never fit the limit (a flag takes a few hundred characters): not even read. */
const MAX_DELTA_FLAGS = 1_000;

/**
 * The flags a write changed, as the environment's new snapshot stores them. Runs in the write's
 * transaction after its bump: the bump's update locks the environment row, so what is read is
 * exactly the bumped version (`version`, read in the same statement). Null when the environment
 * or a flag is gone, or the flags are too many or too large to send: the replicas then reload.
 */
export async function readDelta(
  tx: Tx,
  environmentId: string,
  flagIds: readonly string[],
  range: { fromVersion: number; version: number },
): Promise<SnapshotDelta | null> {
  const ids = [...new Set(flagIds)];
  if (ids.length > MAX_DELTA_FLAGS) return null;
  const rows = await repo.loadFlags({ query: (sql, params = []) => tx.$queryRawUnsafe(sql, ...params) }, environmentId, ids);
  if (!rows || rows.flags.length !== ids.length || rows.environment.snapshot_version !== range.version) return null;
  const { flags } = buildSnapshot(rows);
  let chars = 0;
  for (const flag of flags) {
    chars += JSON.stringify(flag).length;
    if (chars > DELTA_LIMIT_CHARS) return null;
  }
  return { fromVersion: range.fromVersion, flags };
}

/** A delta as it arrives from another replica: the shape checked, anything else dropped. */
export function parseDelta(value: unknown): SnapshotDelta | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { fromVersion, flags } = value as Record<string, unknown>;
  if (!Number.isInteger(fromVersion) || !Array.isArray(flags) || flags.length === 0) return undefined;
  const isWellFormed = flags.every(
    (flag: unknown) => !!flag && typeof flag === "object" && typeof (flag as SnapshotFlag).key === "string" && !!(flag as SnapshotFlag).state && typeof (flag as SnapshotFlag).state === "object",
  );
  return isWellFormed ? { fromVersion: fromVersion as number, flags: flags as SnapshotFlag[] } : undefined;
}

/**
 * The stored snapshot with the delta's flags put in place of the same keys, at `version`; the
 * rest (other flags, segments, tenants) is shared with `stored`. A flag the snapshot does not
 * hold yet (just created) goes where a full load puts it: flags are in code-point order of
 * their keys (`ORDER BY key COLLATE "C"`, whatever the database's collation).
 */
export function applyDelta(
  stored: EnvironmentSnapshot,
  delta: SnapshotDelta,
  version: number,
  now: Date = new Date(),
): { stored: EnvironmentSnapshot; replaced: SnapshotFlag[]; added: string[] } {
  const changed = new Map(delta.flags.map((flag) => [flag.key, flag]));
  let flags = stored.flags.slice();
  const replaced: SnapshotFlag[] = [];
  for (let i = 0; i < flags.length && replaced.length < changed.size; i++) {
    const next = changed.get(flags[i]!.key);
    if (!next) continue;
    replaced.push(flags[i]!);
    flags[i] = next;
  }
  const added: string[] = [];
  if (replaced.length !== changed.size) {
    const held = new Set(replaced.map((flag) => flag.key));
    const fresh = [...changed.values()].filter((flag) => !held.has(flag.key)).sort((x, y) => byKey(x.key, y.key));
    flags = mergeByKey(flags, fresh);
    added.push(...fresh.map((flag) => flag.key));
  }
  return { stored: { ...stored, version, generatedAt: now.toISOString(), flags }, replaced, added };
}

/** Code-point order of keys, as PostgreSQL's `COLLATE "C"` sorts them (flag keys are ASCII). */
const byKey = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Both lists, each in key order, merged into one in key order. */
function mergeByKey(flags: readonly SnapshotFlag[], fresh: readonly SnapshotFlag[]): SnapshotFlag[] {
  const merged: SnapshotFlag[] = [];
  let i = 0;
  for (const flag of fresh) {
    while (i < flags.length && byKey(flags[i]!.key, flag.key) < 0) merged.push(flags[i++]!);
    merged.push(flag);
  }
  while (i < flags.length) merged.push(flags[i++]!);
  return merged;
}

/**
 * A snapshot's content for comparing two builds of one version: without `generatedAt`, and
 * without overrides expired by `now` (a full load leaves out those already expired, a snapshot
 * made earlier still lists them, and evaluation ignores them either way).
 */
export function canonicalContent(snapshot: EnvironmentSnapshot, now: Date = new Date()): string {
  const isLive = (override: { expiresAt?: string | null }) => override.expiresAt == null || Date.parse(override.expiresAt) > now.getTime();
  return JSON.stringify({
    ...snapshot,
    generatedAt: "",
    flags: snapshot.flags.map((flag) => ({
      ...flag,
      state: {
        ...flag.state,
        tenantOverrides: flag.state.tenantOverrides.filter(isLive),
        userOverrides: flag.state.userOverrides.filter(isLive),
        ...(flag.state.layerOverrides ? { layerOverrides: flag.state.layerOverrides.filter(isLive) } : {}),
      },
    })),
  });
}
