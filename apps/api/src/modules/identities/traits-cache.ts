import type { FastifyBaseLogger } from "fastify";
import type { Cache } from "../../infra/cache/cache";
import type { SqlRunner } from "../../infra/db/sql-runner";
import { identityTraitsRepository } from "./identity-traits.repository";

/** The Redis channel on which every replica hears that an identity's traits changed. */
export const IDENTITY_CHANGED_CHANNEL = "identity-changed";

export type Traits = Readonly<Record<string, unknown>>;

/** One identity's traits after a committed write; `traits` null when the identity was deleted. */
export interface IdentityChange {
  workspaceId: string;
  environmentId: string;
  environmentKey: string;
  key: string;
  traits: Traits | null;
}

export type IdentityChangeListener = (change: IdentityChange) => void;

export interface TraitsCacheOptions {
  cache: Cache;
  sql: SqlRunner;
  log: FastifyBaseLogger;
  /** Identities held in process at most, and their estimated bytes at most. */
  maxEntries: number;
  maxBytes: number;
  /** Lifetime of the shared Redis copy of one identity's traits. */
  ttlMs: number;
  /** Whether Redis answered at the last check (the version watcher pings it every second). */
  isCacheUp: () => boolean;
}

interface Held {
  traits: Traits | null;
  bytes: number;
  /** When this replica read or heard it (epoch ms). */
  at: number;
  /** The insertion count when it was last put at the newest end of `held`. */
  placed: number;
}

/** While Redis is down, invalidation messages cannot arrive: held traits are read again after this long. */
const DEGRADED_MAX_AGE_MS = 1_000;
const redisKey = (environmentId: string, key: string) => `traits:${environmentId}:${key}`;
const heldKey = (environmentId: string, key: string) => `${environmentId}\0${key}`;
const bytesOf = (key: string, json: string) => 2 * key.length + 3 * json.length + 160;

function parseChange(message: string): (IdentityChange & { origin?: string }) | undefined {
  try {
    const change = JSON.parse(message) as IdentityChange & { origin?: string };
    const isValid = typeof change?.environmentId === "string" && typeof change.key === "string" && (change.traits === null || typeof change.traits === "object");
    return isValid ? change : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Identities' stored traits for evaluation, kept out of the environment snapshot. Three tiers:
 * an in-process LRU bounded by count and by estimated bytes (`peek`, synchronous), a shared copy
 * per environment and identity in Redis (`traits:<env>:<key>`, also recording that a key has no
 * identity), and PostgreSQL, the truth, read only when Redis has no copy or is down. Writes go
 * through: the writing replica updates its memory and the Redis copy and announces the change on
 * `identity-changed`, which every replica applies to what it holds. A reader fills Redis only
 * where no copy exists (`SET NX`), so it never overwrites a newer write-through with what it
 * read before that write committed. While Redis is down, held traits older than a second are
 * read again, and everything held is dropped when Redis returns (messages may have been lost).
 */
export function createTraitsCache(options: TraitsCacheOptions) {
  const { cache, sql, log } = options;
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const held = new Map<string, Held>();
  const loading = new Map<string, Promise<Traits | null>>();
  const listeners = new Set<IdentityChangeListener>();
  const stats = { hits: 0, misses: 0, evictions: 0, redisHits: 0, databaseReads: 0 };
  let heldBytes = 0;
  /** Insertions into `held` so far: how far an entry has drifted from the newest end since it was placed. */
  let placements = 0;
  let wasCacheUp = true;
  let unsubscribe: (() => Promise<void>) | undefined;

  function forget(id: string) {
    const entry = held.get(id);
    if (!entry) return;
    held.delete(id);
    heldBytes -= entry.bytes;
  }

  function hold(environmentId: string, key: string, traits: Traits | null, json = JSON.stringify(traits)) {
    if (options.maxEntries === 0) return;
    const id = heldKey(environmentId, key);
    forget(id);
    const entry: Held = { traits, bytes: bytesOf(id, json), at: Date.now(), placed: ++placements };
    held.set(id, entry);
    heldBytes += entry.bytes;
    // A Map iterates in insertion order, and every use re-inserts: the first key is the least recently used.
    for (const oldest of held.keys()) {
      if (held.size <= options.maxEntries && heldBytes <= options.maxBytes) break;
      if (oldest === id) break;
      forget(oldest);
      stats.evictions += 1;
    }
  }

  function peek(environmentId: string, key: string): Traits | null | undefined {
    const isCacheUp = options.isCacheUp();
    if (isCacheUp && !wasCacheUp) {
      // Redis is back: changes announced while it was away never arrived here.
      held.clear();
      heldBytes = 0;
    }
    wasCacheUp = isCacheUp;
    const id = heldKey(environmentId, key);
    const entry = held.get(id);
    if (!entry || (!isCacheUp && Date.now() - entry.at > DEGRADED_MAX_AGE_MS)) return undefined;
    // Moved to the newest end only once it has drifted into the older half: an identity evaluated
    // again and again costs one lookup, not a delete and an insert each time. Eviction stays least
    // recently used for everything in the older half, the only part it reaches first.
    if (placements - entry.placed >= held.size / 2) {
      held.delete(id);
      held.set(id, entry);
      entry.placed = ++placements;
    }
    stats.hits += 1;
    return entry.traits;
  }

  async function read(environmentId: string, key: string): Promise<Traits | null> {
    const rKey = redisKey(environmentId, key);
    if (options.isCacheUp()) {
      const copy = await cache.get(rKey).catch(() => null);
      if (copy !== null) {
        try {
          const traits = (JSON.parse(copy) as { t: Traits | null }).t;
          stats.redisHits += 1;
          hold(environmentId, key, traits, copy);
          return traits;
        } catch {
          // Unreadable copy: PostgreSQL decides.
        }
      }
    }
    stats.databaseReads += 1;
    const traits = await identityTraitsRepository.find(sql, environmentId, key);
    const json = JSON.stringify({ t: traits });
    hold(environmentId, key, traits, json);
    void cache.setIfAbsent(rKey, json, options.ttlMs).catch(() => undefined);
    return traits;
  }

  function notify(change: IdentityChange) {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error({ err: error }, "identity change listener failed");
      }
    }
  }

  return {
    /** The traits held in this process: an object, null for a key with no identity, undefined when not held. */
    peek,

    /** The traits from memory, else Redis, else PostgreSQL (then held and copied); concurrent callers share one read. */
    get(environmentId: string, key: string): Promise<Traits | null> {
      const known = peek(environmentId, key);
      if (known !== undefined) return Promise.resolve(known);
      stats.misses += 1;
      const id = heldKey(environmentId, key);
      let pending = loading.get(id);
      if (!pending) {
        pending = read(environmentId, key).finally(() => loading.delete(id));
        loading.set(id, pending);
      }
      return pending;
    },

    /**
     * A committed write: held here at once, written through to Redis and announced to the other
     * replicas. Never throws: with Redis away, the others read PostgreSQL within a second.
     */
    async written(change: IdentityChange): Promise<void> {
      const json = JSON.stringify({ t: change.traits });
      hold(change.environmentId, change.key, change.traits, json);
      notify(change);
      await cache.set(redisKey(change.environmentId, change.key), json, options.ttlMs).catch(() => undefined);
      await cache.publish(IDENTITY_CHANGED_CHANNEL, JSON.stringify({ ...change, origin })).catch(() => undefined);
    },

    /** Hears of every identity change, this replica's own and the others'. */
    onChange(listener: IdentityChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async start(): Promise<void> {
      unsubscribe = await cache.subscribe(IDENTITY_CHANGED_CHANNEL, (message) => {
        const change = parseChange(message);
        if (!change || change.origin === origin) return;
        const { origin: _, ...rest } = change;
        // Only what this replica holds is refreshed; others are read when first needed.
        if (held.has(heldKey(rest.environmentId, rest.key))) hold(rest.environmentId, rest.key, rest.traits);
        notify(rest);
      });
    },

    async stop(): Promise<void> {
      await unsubscribe?.().catch(() => undefined);
    },

    stats: () => ({ ...stats, entries: held.size, residentBytes: heldBytes, maxBytes: options.maxBytes, maxEntries: options.maxEntries }),
  };
}

export type TraitsCache = ReturnType<typeof createTraitsCache>;
