import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import type { FastifyBaseLogger } from "fastify";
import type { SqlRunner } from "../../infra/db/sql-runner";
import type { EnvironmentChange, SnapshotDelta } from "../../infra/changes";
import { isDatabaseUnavailable } from "../../infra/error-handler";
import { AppError, notFound } from "../../infra/errors";
import { buildSnapshot } from "./snapshot-builder";
import type { EnvironmentMeta, SnapshotCopies } from "./snapshot-copies";
import { applyDelta, canonicalContent } from "./snapshot-deltas";
import { snapshotsRepository as repo } from "./snapshots.repository";
import type { VersionWatcher } from "./version-watcher";

/** One environment's snapshot as this replica serves it: never changed after it is made. */
export interface SnapshotEntry<C> {
  meta: EnvironmentMeta;
  version: number;
  stored: EnvironmentSnapshot;
  /** `stored` serialized once (on first use for an entry made from a delta), for `GET /v1/config` and the Redis copy. */
  readonly json: string;
  compiled: C;
  /** Where this entry came from, for readiness and tests: a full load, or the previous entry and a delta. */
  source: "database" | "redis" | "delta";
  /**
   * For an entry made from a delta: the version it was made from and the flags it replaced, as
   * this entry stores them. Server SDKs' streams pass it on so they can do the same.
   */
  delta?: SnapshotDelta;
  /** When this replica made the entry (epoch ms): its age is how stale this replica could be. */
  madeAt: number;
  /** Estimated memory the entry takes (its JSON and compiled form), counted against the budget. */
  bytes: number;
  /** When it was last asked for, on the store's own clock: the one field that changes, for eviction. */
  used: number;
}

export type SwapListener<C> = (entry: SnapshotEntry<C>, previous: SnapshotEntry<C> | undefined) => void;
/** An environment that no longer exists: its snapshot is gone from this replica. */
export type DropListener = (environment: { environmentId: string; environmentKey: string }) => void;

export interface SnapshotStoreOptions<C> {
  sql: SqlRunner;
  copies: SnapshotCopies;
  watcher: VersionWatcher;
  compile: (snapshot: EnvironmentSnapshot) => C;
  /**
   * Estimated bytes all entries may take together; beyond it the least recently used leave
   * (and load again when next asked for). Infinity when absent. The entry just loaded always stays.
   */
  memoryBudget?: number;
  log: FastifyBaseLogger;
  /** Told how long each rebuild from PostgreSQL took (read, build, compile), in seconds. */
  onRebuilt?: (seconds: number) => void;
  /**
   * The compiled snapshot with the delta's flags and tenants replaced (or added), the rest
   * shared: what lets a change that carries them apply without compiling the environment.
   * `stored` is the new stored snapshot. Without it every change reloads.
   */
  withDelta?: (compiled: C, stored: EnvironmentSnapshot, delta: SnapshotDelta) => C;
  /** Told of each entry made from deltas that a rebuild from PostgreSQL found different. */
  onVerifyMismatch?: () => void;
}

interface LoadState {
  running?: Promise<void>;
  wanted: number;
  retry?: NodeJS.Timeout;
  failures: number;
}

const MAX_RETRY_MS = 5_000;
/**
 * Memory an entry takes per character of its JSON: the string itself, the parsed snapshot and
 * the compiled form. Measured on 100- and 1,000-flag snapshots after garbage collection (heap
 * per entry 6.9 times its JSON length); an estimate for the budget, not an exact account.
 */
export const BYTES_PER_JSON_CHAR = 7;

/** What the cache did since the replica started, for metrics and benchmarks. */
export interface SnapshotCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  residentBytes: number;
  budgetBytes: number;
  entries: number;
}

/**
 * Every environment's compiled snapshot in this replica's memory, keyed by its version. An
 * environment loads on first use; afterwards evaluation reads it synchronously (`peek`), with no
 * database or Redis round trip. When the watcher announces a newer version, the store reloads
 * (the shared Redis copy first, else PostgreSQL, writing the copy for the other replicas) and
 * swaps the whole entry at once, so a request never sees half a snapshot. Bursts coalesce: while
 * a load runs, later announcements only raise the version wanted next. A change that carries its
 * flags (a delta) from exactly the version held is applied instead: those flags replaced and
 * compiled alone, the rest shared, no reload; a periodic `verify` checks such entries against
 * PostgreSQL. A failed reload keeps the current snapshot and retries with backoff. A deleted
 * environment is dropped for good (its id is never reused): a load still in flight cannot bring
 * it back.
 *
 * Memory is bounded: each entry's size is estimated from its JSON, and when the entries together
 * pass `memoryBudget` the least recently used leave (an environment with open SDK streams is
 * pinned and stays). An evicted environment loads again on its next request, by the same path.
 */
export function createSnapshotStore<C>(options: SnapshotStoreOptions<C>) {
  const { sql, copies, watcher, compile, log } = options;
  const budget = options.memoryBudget ?? Number.POSITIVE_INFINITY;
  const entries = new Map<string, SnapshotEntry<C>>();
  const states = new Map<string, LoadState>();
  const releases = new Map<string, () => void>();
  const swapListeners = new Set<SwapListener<C>>();
  const dropListeners = new Set<DropListener>();
  // Ids of environments deleted while this replica ran: few, and never reused.
  const dropped = new Set<string>();
  // Environments with open streams: never evicted (their subscribers wait for its changes).
  const pins = new Map<string, number>();
  const stats = { hits: 0, misses: 0, evictions: 0 };
  let residentBytes = 0;
  let clock = 0;

  function makeEntry(stored: EnvironmentSnapshot, meta: EnvironmentMeta, source: SnapshotEntry<C>["source"], json = JSON.stringify(stored)): SnapshotEntry<C> {
    return {
      meta,
      version: stored.version,
      stored,
      json,
      compiled: compile(stored),
      source,
      madeAt: Date.now(),
      bytes: json.length * BYTES_PER_JSON_CHAR,
      used: ++clock,
    };
  }

  /**
   * The entry of the change's version made from the current one: the delta's flags replaced in
   * the stored snapshot (a created flag inserted in its place) and compiled alone, everything else
 * shared. The JSON is made only when
   * first asked for, so applying a delta never serializes the environment.
   */
  function fromDelta(previous: SnapshotEntry<C>, version: number, delta: SnapshotDelta): SnapshotEntry<C> | undefined {
    if (!options.withDelta) return undefined;
    const { stored, replaced, replacedTenants } = applyDelta(previous.stored, delta, version);
    const chars = (items: readonly object[] = []) => items.reduce((sum, item) => sum + JSON.stringify(item).length, 0);
    let json: string | undefined;
    return {
      meta: previous.meta,
      version,
      stored,
      get json() {
        return (json ??= JSON.stringify(stored));
      },
      compiled: options.withDelta(previous.compiled, stored, delta),
      source: "delta",
      delta: { ...delta, fromVersion: previous.version },
      madeAt: Date.now(),
      bytes: Math.max(0, previous.bytes + (chars(delta.flags) + chars(delta.tenants) - chars(replaced) - chars(replacedTenants)) * BYTES_PER_JSON_CHAR),
      used: ++clock,
    };
  }

  /**
   * Applies a change that carries its flags, when this replica holds exactly the version it
   * was made from and no load of the environment is under way; false sends it to a full reload.
   */
  function appliedDelta(change: EnvironmentChange & { delta: SnapshotDelta }): boolean {
    const current = entries.get(change.environmentId);
    if (!current || current.version !== change.delta.fromVersion || states.get(change.environmentId)?.running) return false;
    try {
      const entry = fromDelta(current, change.version, change.delta);
      if (!entry) return false;
      swap(entry);
      return true;
    } catch (error) {
      log.warn({ environmentId: change.environmentId, err: (error as Error).message }, "snapshot delta could not be applied; reloading");
      return false;
    }
  }

  /** The environment's stored snapshot and meta built from PostgreSQL, or null when it no longer exists. */
  async function readDatabase(environmentId: string): Promise<{ stored: EnvironmentSnapshot; meta: EnvironmentMeta } | null> {
    const rows = await repo.load(sql, environmentId);
    if (!rows) return null;
    const env = rows.environment;
    const meta: EnvironmentMeta = {
      environmentId: env.id,
      environmentKey: env.key,
      workspaceId: env.workspace_id,
      workspaceSlug: env.workspace_slug,
      contextSecret: env.context_secret,
      contextIssuer: env.context_issuer,
      contextJwksUrl: env.context_jwks_url,
      requireContextToken: env.require_context_token,
      exposedHeaders: env.exposed_headers ?? [],
      hasIdentities: env.has_identities,
    };
    return { stored: buildSnapshot(rows), meta };
  }

  async function fromDatabase(environmentId: string): Promise<SnapshotEntry<C> | null> {
    const started = performance.now();
    const built = await readDatabase(environmentId);
    if (!built) return null;
    const entry = makeEntry(built.stored, built.meta, "database");
    options.onRebuilt?.((performance.now() - started) / 1000);
    void copies.write(entry.json, entry.version, entry.meta);
    return entry;
  }

  /** One load: the copy of the wanted version when Redis has it, else PostgreSQL, else the newest copy. */
  async function loadOnce(environmentId: string, wanted: number): Promise<SnapshotEntry<C> | null> {
    if (wanted > 0) {
      const copy = await copies.read(environmentId, wanted);
      if (copy) return makeEntry(copy.snapshot, copy.meta, "redis", copy.json);
    }
    try {
      return await fromDatabase(environmentId);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const newest = await copies.readNewest(environmentId);
      if (newest && newest.snapshot.version > (entries.get(environmentId)?.version ?? 0)) {
        log.warn({ environmentId, version: newest.snapshot.version }, "database unavailable; serving the snapshot copy from redis");
        return makeEntry(newest.snapshot, newest.meta, "redis", newest.json);
      }
      throw error;
    }
  }

  /** Puts the entry in place of an older one; `isCorrection` also replaces one of the same version. */
  function swap(entry: SnapshotEntry<C>, isCorrection = false) {
    if (dropped.has(entry.meta.environmentId)) return;
    const previous = entries.get(entry.meta.environmentId);
    if (previous && (isCorrection ? previous.version > entry.version : previous.version >= entry.version)) return;
    entries.set(entry.meta.environmentId, entry);
    entry.used = previous ? Math.max(previous.used, entry.used) : entry.used;
    residentBytes += entry.bytes - (previous?.bytes ?? 0);
    if (!releases.has(entry.meta.environmentId)) {
      releases.set(
        entry.meta.environmentId,
        watcher.track(entry.meta.environmentId, { workspaceId: entry.meta.workspaceId, environmentKey: entry.meta.environmentKey, version: entry.version }),
      );
    }
    for (const listener of swapListeners) safely(() => listener(entry, previous));
    evictBeyondBudget(entry.meta.environmentId);
  }

  /** Lets the least recently used entries go until the rest fit the budget; `kept` always stays. */
  function evictBeyondBudget(kept: string) {
    while (residentBytes > budget) {
      let oldest: SnapshotEntry<C> | undefined;
      for (const [id, candidate] of entries) {
        if (id === kept || pins.has(id)) continue;
        if (!oldest || candidate.used < oldest.used) oldest = candidate;
      }
      if (!oldest) return;
      evict(oldest.meta.environmentId);
    }
  }

  /** Forgets an entry to save memory: nothing else changes, and the next request loads it again. */
  function evict(environmentId: string) {
    const entry = entries.get(environmentId);
    if (!entry) return;
    entries.delete(environmentId);
    residentBytes -= entry.bytes;
    stats.evictions += 1;
    releases.get(environmentId)?.();
    releases.delete(environmentId);
    const state = states.get(environmentId);
    if (state && !state.running) {
      if (state.retry) clearTimeout(state.retry);
      states.delete(environmentId);
    }
  }

  /** Runs a listener; one that throws is logged and does not keep the others from running. */
  function safely(run: () => void) {
    try {
      run();
    } catch (error) {
      log.error({ err: error }, "snapshot listener failed");
    }
  }

  /** Forgets a deleted environment: its snapshot, its version tracking, its pending retries. */
  function drop(environmentId: string, environmentKey = entries.get(environmentId)?.meta.environmentKey) {
    if (dropped.has(environmentId)) return;
    dropped.add(environmentId);
    const state = states.get(environmentId);
    if (state?.retry) clearTimeout(state.retry);
    states.delete(environmentId);
    residentBytes -= entries.get(environmentId)?.bytes ?? 0;
    entries.delete(environmentId);
    pins.delete(environmentId);
    releases.get(environmentId)?.();
    releases.delete(environmentId);
    for (const listener of dropListeners) safely(() => listener({ environmentId, environmentKey: environmentKey ?? "" }));
  }

  function scheduleRetry(environmentId: string, state: LoadState) {
    if (state.retry) return;
    const delay = Math.min(250 * 2 ** state.failures, MAX_RETRY_MS);
    state.retry = setTimeout(() => {
      state.retry = undefined;
      void reload(environmentId).catch(() => undefined);
    }, delay);
    state.retry.unref();
  }

  /** Loads until the entry is at least at the wanted version; concurrent callers share the run. */
  function reload(environmentId: string, version = 0): Promise<void> {
    let state = states.get(environmentId);
    if (!state) states.set(environmentId, (state = { wanted: 0, failures: 0 }));
    state.wanted = Math.max(state.wanted, version);
    if (state.running) return state.running;
    const run = state;
    run.running = (async () => {
      try {
        for (let round = 0; round < 3; round += 1) {
          const target = run.wanted;
          const current = entries.get(environmentId);
          if (current && current.version >= target) return;
          const entry = await loadOnce(environmentId, target);
          if (!entry) {
            drop(environmentId);
            return;
          }
          swap(entry);
          run.failures = 0;
          if (entry.version >= run.wanted) return;
        }
      } catch (error) {
        run.failures += 1;
        if (entries.has(environmentId)) {
          log.warn({ environmentId, err: (error as Error).message }, "snapshot reload failed; serving the previous snapshot");
          scheduleRetry(environmentId, run);
        }
        throw error;
      } finally {
        run.running = undefined;
      }
    })();
    return run.running;
  }

  watcher.onChange((change: EnvironmentChange) => {
    if (change.isDeleted) return drop(change.environmentId, change.environmentKey);
    if (!entries.has(change.environmentId)) return;
    if (change.delta && appliedDelta({ ...change, delta: change.delta })) return;
    void reload(change.environmentId, change.version).catch(() => undefined);
  });

  // Entries made from deltas that a rebuild from PostgreSQL already confirmed.
  const verified = new WeakSet<SnapshotEntry<C>>();

  /**
   * Rebuilds from PostgreSQL each environment whose entry was made from deltas since its last
   * full load, and compares the content (all but `generatedAt`). A difference is logged,
   * counted, and the rebuilt entry takes the place of the wrong one. One environment at a time,
   * off the request path.
   */
  async function verify(): Promise<{ checked: number; mismatched: number }> {
    const result = { checked: 0, mismatched: 0 };
    for (const entry of [...entries.values()]) {
      const environmentId = entry.meta.environmentId;
      if (entry.source !== "delta" || verified.has(entry) || states.get(environmentId)?.running) continue;
      const built = await readDatabase(environmentId);
      // Gone, changed meanwhile, or a newer version on its way: the usual path handles those.
      if (!built || entries.get(environmentId) !== entry || built.stored.version !== entry.version) continue;
      result.checked += 1;
      const now = new Date();
      if (canonicalContent(built.stored, now) === canonicalContent(entry.stored, now)) {
        verified.add(entry);
        continue;
      }
      result.mismatched += 1;
      log.warn({ environmentId, version: entry.version }, "snapshot built from deltas differs from PostgreSQL; replaced by a full rebuild");
      options.onVerifyMismatch?.();
      // Compiled only now: a snapshot that matches costs the check its read and comparison alone.
      const rebuilt = makeEntry(built.stored, built.meta, "database");
      swap(rebuilt, true);
      void copies.write(rebuilt.json, rebuilt.version, rebuilt.meta);
    }
    return result;
  }

  /** The entry if loaded, marked as just used. */
  function touch(environmentId: string): SnapshotEntry<C> | undefined {
    const entry = entries.get(environmentId);
    if (entry) {
      entry.used = ++clock;
      stats.hits += 1;
    }
    return entry;
  }

  async function get(environmentId: string): Promise<SnapshotEntry<C>> {
    const loaded = touch(environmentId);
    if (loaded) return loaded;
    if (dropped.has(environmentId)) throw notFound("The environment");
    stats.misses += 1;
    // A second round only when loads for other environments evicted this one before it was read.
    for (let round = 0; round < 2 && !dropped.has(environmentId); round++) {
      try {
        await reload(environmentId);
      } catch (error) {
        if (error instanceof AppError) throw error;
        log.error({ err: error, environmentId }, "snapshot load failed");
        throw new AppError("SERVICE_UNAVAILABLE", "Flags cannot be loaded right now; try again shortly.", { cause: error });
      }
      const entry = entries.get(environmentId);
      if (entry) return entry;
    }
    throw notFound("The environment");
  }

  async function inWorkspace(workspaceId: string, environmentId: string): Promise<SnapshotEntry<C>> {
    const entry = await get(environmentId);
    if (entry.meta.workspaceId !== workspaceId) throw notFound("The environment");
    return entry;
  }

  return {
    /** The loaded entry, synchronously, or undefined: the evaluation hot path. */
    peek: touch,
    get,
    /** The compiled snapshot of an environment of the workspace (404 for another workspace's). */
    async compiled(workspaceId: string, environmentId: string): Promise<C> {
      return (await inWorkspace(workspaceId, environmentId)).compiled;
    },
    async stored(workspaceId: string, environmentId: string): Promise<EnvironmentSnapshot> {
      return (await inWorkspace(workspaceId, environmentId)).stored;
    },
    entry: inWorkspace,
    verify,
    /** Reloads now if PostgreSQL has a newer version (tests, and callers that just wrote). */
    refresh: (environmentId: string, version?: number) => reload(environmentId, version),
    onSwap(listener: SwapListener<C>): () => void {
      swapListeners.add(listener);
      return () => swapListeners.delete(listener);
    },
    /** Called once when an environment this replica may serve is deleted. */
    onDrop(listener: DropListener): () => void {
      dropListeners.add(listener);
      return () => dropListeners.delete(listener);
    },
    size: () => entries.size,
    /** Keeps an environment in memory, whatever the budget, until the returned function is called. */
    pin(environmentId: string): () => void {
      pins.set(environmentId, (pins.get(environmentId) ?? 0) + 1);
      let isHeld = true;
      return () => {
        if (!isHeld) return;
        isHeld = false;
        const left = (pins.get(environmentId) ?? 1) - 1;
        if (left <= 0) pins.delete(environmentId);
        else pins.set(environmentId, left);
      };
    },
    /** Hits, misses and evictions since start; resident and budgeted bytes now. */
    cacheStats: (): SnapshotCacheStats => ({ ...stats, residentBytes, budgetBytes: budget, entries: entries.size }),
    /** Every entry this replica holds now. */
    loaded: (): IterableIterator<SnapshotEntry<C>> => entries.values(),
    close(): void {
      for (const state of states.values()) if (state.retry) clearTimeout(state.retry);
      for (const release of releases.values()) release();
    },
  };
}

export type SnapshotStore<C> = ReturnType<typeof createSnapshotStore<C>>;
