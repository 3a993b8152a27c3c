import type { EnvironmentSnapshot, SnapshotFlag, SnapshotTenant } from "@ensign/contracts/snapshot";
import type { SnapshotDelta } from "../../infra/changes";
import type { Tx } from "../../infra/db/scoped";
import { buildSnapshot } from "./snapshot-builder";
import { snapshotsRepository as repo } from "./snapshots.repository";

/** Largest delta (its flags' JSON, in characters) sent with a change; beyond it replicas reload. */
const DELTA_LIMIT_CHARS = 256 * 1024;
/** More flags and tenants than this never fit the limit (each takes a few hundred characters): not even read. */
const MAX_DELTA_ITEMS = 1_000;

/**
 * The flags and tenants a write changed, as the environment's new snapshot stores them. Runs in
 * the write's transaction after its bump: the bump's update locks the environment row, so what
 * is read is exactly the bumped version (`version`, read in the same statement). Null when the
 * environment, a flag or a tenant is gone, or the delta is too large to send: the replicas then
 * reload.
 */
export async function readDelta(
  tx: Tx,
  environmentId: string,
  scope: { flags: readonly string[]; tenants: readonly string[] },
  range: { fromVersion: number; version: number },
): Promise<SnapshotDelta | null> {
  const flagIds = [...new Set(scope.flags)];
  const tenantIds = [...new Set(scope.tenants)];
  if (flagIds.length + tenantIds.length > MAX_DELTA_ITEMS) return null;
  const rows = await repo.loadFlags({ query: (sql, params = []) => tx.$queryRawUnsafe(sql, ...params) }, environmentId, flagIds, tenantIds);
  if (!rows || rows.flags.length !== flagIds.length || rows.tenants.length !== tenantIds.length || rows.environment.snapshot_version !== range.version) return null;
  const { flags, tenants } = buildSnapshot(rows);
  let chars = 0;
  for (const item of [...flags, ...tenants]) {
    chars += JSON.stringify(item).length;
    if (chars > DELTA_LIMIT_CHARS) return null;
  }
  return tenants.length > 0 ? { fromVersion: range.fromVersion, flags, tenants } : { fromVersion: range.fromVersion, flags };
}

/** A delta as it arrives from another replica: the shape checked, anything else dropped. */
export function parseDelta(value: unknown): SnapshotDelta | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { fromVersion, flags, tenants } = value as Record<string, unknown>;
  if (!Number.isInteger(fromVersion) || !Array.isArray(flags) || (tenants !== undefined && !Array.isArray(tenants))) return undefined;
  if (flags.length === 0 && (tenants?.length ?? 0) === 0) return undefined;
  const isRecord = (item: unknown): item is Record<string, unknown> => !!item && typeof item === "object" && !Array.isArray(item);
  const areFlags = flags.every((flag: unknown) => isRecord(flag) && typeof flag.key === "string" && isRecord(flag.state));
  const areTenants = ((tenants ?? []) as unknown[]).every((tenant) => isRecord(tenant) && typeof tenant.key === "string" && isRecord(tenant.attributes) && Array.isArray(tenant.disabledModules));
  if (!areFlags || !areTenants) return undefined;
  const delta: SnapshotDelta = { fromVersion: fromVersion as number, flags: flags as SnapshotFlag[] };
  if (tenants && tenants.length > 0) delta.tenants = tenants as SnapshotTenant[];
  return delta;
}

/**
 * The stored snapshot with the delta's flags and tenants put in place of the same keys, at
 * `version`; the rest (other flags and tenants, segments) is shared with `stored`. A flag or
 * tenant the snapshot does not hold yet (just created) goes where a full load puts it: both are
 * in code-point order of their keys (`ORDER BY key COLLATE "C"`, whatever the database's
 * collation).
 */
export function applyDelta(
  stored: EnvironmentSnapshot,
  delta: SnapshotDelta,
  version: number,
  now: Date = new Date(),
): { stored: EnvironmentSnapshot; replaced: SnapshotFlag[]; added: string[]; replacedTenants: SnapshotTenant[] } {
  const flags = replaceByKey(stored.flags, delta.flags);
  const tenants = delta.tenants && delta.tenants.length > 0 ? replaceByKey(stored.tenants, delta.tenants) : { list: stored.tenants, replaced: [], added: [] };
  return {
    stored: { ...stored, version, generatedAt: now.toISOString(), flags: flags.list, tenants: tenants.list },
    replaced: flags.replaced,
    added: flags.added,
    replacedTenants: tenants.replaced,
  };
}

/** `list` (in key order) with `changes` put in place of the same keys, and the new ones merged in key order. */
function replaceByKey<T extends { key: string }>(list: readonly T[], changes: readonly T[]): { list: T[]; replaced: T[]; added: string[] } {
  const changed = new Map(changes.map((item) => [item.key, item]));
  let next = list.slice();
  const replaced: T[] = [];
  for (let i = 0; i < next.length && replaced.length < changed.size; i++) {
    const item = changed.get(next[i]!.key);
    if (!item) continue;
    replaced.push(next[i]!);
    next[i] = item;
  }
  const added: string[] = [];
  if (replaced.length !== changed.size) {
    const held = new Set(replaced.map((item) => item.key));
    const fresh = [...changed.values()].filter((item) => !held.has(item.key)).sort((x, y) => byKey(x.key, y.key));
    next = mergeByKey(next, fresh);
    added.push(...fresh.map((item) => item.key));
  }
  return { list: next, replaced, added };
}

/** Code-point order of keys, as PostgreSQL's `COLLATE "C"` sorts them (flag keys are ASCII). */
const byKey = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Both lists, each in key order, merged into one in key order. */
function mergeByKey<T extends { key: string }>(list: readonly T[], fresh: readonly T[]): T[] {
  const merged: T[] = [];
  let i = 0;
  for (const item of fresh) {
    while (i < list.length && byKey(list[i]!.key, item.key) < 0) merged.push(list[i++]!);
    merged.push(item);
  }
  while (i < list.length) merged.push(list[i++]!);
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
