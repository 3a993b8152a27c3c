import type { FastifyBaseLogger } from "fastify";
import type { PrismaClient } from "../../generated/prisma/client";
import type { Cache } from "../../infra/cache/cache";
import { ENVIRONMENT_CHANGED_CHANNEL, type EnvironmentChange } from "../../infra/changes";
import { parseDelta } from "./snapshot-deltas";
import { snapshotsRepository as repo } from "./snapshots.repository";

export type ChangeListener = (change: EnvironmentChange) => void;

interface Tracked {
  workspaceId: string;
  environmentKey: string;
  version: number;
  refs: number;
}

export interface VersionWatcherOptions {
  cache: Cache;
  prisma: PrismaClient;
  log: FastifyBaseLogger;
  /** How often PostgreSQL is polled while Redis is up; while it is down, every `degradedPollMs`. */
  pollMs: number;
  degradedPollMs?: number;
  /**
   * How long a version the routine poll finds ahead of the messages is given for its message to
   * arrive (1 s by default). A write's message carries its delta; announcing the version first
   * would make this replica reload the whole environment for a change it is about to hear of.
   */
  messageGraceMs?: number;
}

/** See `VersionWatcherOptions.messageGraceMs`. */
const MESSAGE_GRACE_MS = 1_000;

function parseChanges(message: string): EnvironmentChange[] {
  try {
    const parsed: unknown = JSON.parse(message);
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter(
        (c): c is EnvironmentChange =>
          !!c && typeof c.environmentId === "string" && typeof c.workspaceId === "string" && Number.isInteger(c.version),
      )
      .map((c) => {
        // A malformed delta is dropped; the change still counts, and replicas reload for it.
        if (c.delta === undefined) return c;
        const { delta, ...change } = c;
        const parsedDelta = parseDelta(delta);
        return parsedDelta ? { ...change, delta: parsedDelta } : change;
      });
  } catch {
    return [];
  }
}

/**
 * Learns, as soon as possible, that an environment's snapshot version moved: from the cache
 * channel (every replica's writes), from this process's own writes, and by polling PostgreSQL
 * for the versions of the environments it tracks — every `pollMs` as a safety net for lost
 * messages, every second while Redis is down, and once more when Redis comes back.
 * Each version is announced once per environment; an environment that polling no longer finds
 * is announced as deleted, once. While Redis is up, a version the routine poll finds ahead of the
 * messages waits `messageGraceMs` for its message (it may be on its way, with its delta) before
 * it is announced as missed.
 */
export function createVersionWatcher(options: VersionWatcherOptions) {
  const { cache, prisma, log } = options;
  const degradedPollMs = options.degradedPollMs ?? 1_000;
  const messageGraceMs = options.messageGraceMs ?? MESSAGE_GRACE_MS;
  const tracked = new Map<string, Tracked>();
  // Versions the routine poll found ahead of the messages, each with the check due after the grace.
  const awaited = new Map<string, { version: number; timer: NodeJS.Timeout }>();
  const listeners = new Set<ChangeListener>();
  let unsubscribe: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let isCacheUp = true;
  let isDatabaseUp = true;
  let lastPoll = Date.now();
  let ticking = false;

  function announce(change: EnvironmentChange) {
    const entry = tracked.get(change.environmentId);
    if (entry) {
      if (change.version <= entry.version) return;
      entry.version = change.version;
    }
    // A deleted environment has no version left to poll.
    if (change.isDeleted) tracked.delete(change.environmentId);
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error({ err: error }, "snapshot change listener failed");
      }
    }
  }

  /** Announces `version` after the grace unless a message (or anything else) brought it first. */
  function awaitMessage(environmentId: string, version: number, graceMs: number) {
    const pending = awaited.get(environmentId);
    if (pending) {
      pending.version = Math.max(pending.version, version);
      return;
    }
    const timer = setTimeout(() => {
      const due = awaited.get(environmentId);
      awaited.delete(environmentId);
      const entry = tracked.get(environmentId);
      if (!due || !entry || entry.version >= due.version) return;
      announce({ workspaceId: entry.workspaceId, environmentId, environmentKey: entry.environmentKey, version: due.version });
    }, graceMs);
    timer.unref();
    awaited.set(environmentId, { version, timer });
  }

  /** One poll of the tracked versions; a newer one waits `graceMs` for its message first (0: announced at once). */
  async function poll(graceMs = 0): Promise<void> {
    lastPoll = Date.now();
    if (tracked.size === 0) return;
    try {
      // Only the ids asked about: one tracked while the query ran is not missing from its answer.
      const asked = [...tracked.keys()];
      const versions = await repo.versions(prisma, asked);
      isDatabaseUp = true;
      for (const environmentId of asked) {
        const entry = tracked.get(environmentId);
        if (!entry) continue;
        const version = versions.get(environmentId);
        // Gone from PostgreSQL: deleted, and this replica missed the message saying so.
        if (version === undefined) announce({ workspaceId: entry.workspaceId, environmentId, environmentKey: entry.environmentKey, version: entry.version + 1, isDeleted: true });
        else if (version > entry.version) {
          if (graceMs > 0) awaitMessage(environmentId, version, graceMs);
          else announce({ workspaceId: entry.workspaceId, environmentId, environmentKey: entry.environmentKey, version });
        }
      }
    } catch {
      isDatabaseUp = false;
    }
  }

  async function tick(): Promise<void> {
    if (ticking) return;
    ticking = true;
    try {
      const wasUp = isCacheUp;
      isCacheUp = await cache.ping();
      if (isCacheUp && !wasUp) log.info({}, "redis is back; catching up on snapshot versions");
      if (!isCacheUp && wasUp) log.warn({}, "redis is down; polling PostgreSQL for snapshot versions every second");
      const interval = isCacheUp ? options.pollMs : degradedPollMs;
      // Right after an outage, or without Redis, no message is coming: what the poll finds is announced at once.
      if (isCacheUp && !wasUp) await poll();
      else if (Date.now() - lastPoll >= interval) await poll(isCacheUp ? messageGraceMs : 0);
    } finally {
      ticking = false;
    }
  }

  return {
    async start(): Promise<void> {
      unsubscribe = await cache.subscribe(ENVIRONMENT_CHANGED_CHANNEL, (message) => {
        for (const change of parseChanges(message)) announce(change);
      });
      timer = setInterval(() => void tick(), Math.min(degradedPollMs, options.pollMs));
      timer.unref();
    },

    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      for (const { timer: check } of awaited.values()) clearTimeout(check);
      awaited.clear();
      await unsubscribe?.().catch(() => undefined);
    },

    /** This process's own committed changes, heard before the cache echoes them. */
    feed(changes: EnvironmentChange[]): void {
      for (const change of changes) announce(change);
    },

    /** Polls this environment's version from now on (until the returned function is called). */
    track(environmentId: string, info: { workspaceId: string; environmentKey: string; version: number }): () => void {
      const entry = tracked.get(environmentId);
      if (entry) {
        entry.refs += 1;
        entry.version = Math.max(entry.version, info.version);
      } else {
        tracked.set(environmentId, { ...info, refs: 1 });
      }
      let isReleased = false;
      return () => {
        if (isReleased) return;
        isReleased = true;
        const current = tracked.get(environmentId);
        if (current && --current.refs <= 0) tracked.delete(environmentId);
      };
    },

    /** The newest version this replica has heard of for a tracked environment. */
    known(environmentId: string): number | undefined {
      return tracked.get(environmentId)?.version;
    },

    onChange(listener: ChangeListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /**
     * Polls at once (tests, and after an outage); what it finds is announced at once, or after
     * `graceMs` when its message has not brought it by then, as the routine poll does.
     */
    pollNow: (graceMs = 0) => poll(graceMs),

    health(): { cache: boolean; database: boolean } {
      return { cache: isCacheUp, database: isDatabaseUp };
    },
  };
}

export type VersionWatcher = ReturnType<typeof createVersionWatcher>;
