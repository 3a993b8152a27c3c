import type { Cache } from "./cache";

type Value = string | Map<string, number> | string[] | Set<string>;

interface Entry<V extends Value = Value> {
  value: V;
  expiresAt: number;
}

/**
 * The embedded mode's cache: one process, so pub/sub is a local fan-out. It behaves like the
 * Redis implementation, command for command, so the same callers work on both.
 */
export function createMemoryCache(now: () => number = Date.now): Cache {
  const entries = new Map<string, Entry>();
  const channels = new Map<string, Set<(message: string) => void>>();

  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const expiry = (ttlMs?: number) => (ttlMs ? now() + ttlMs : Number.POSITIVE_INFINITY);
  /** The entry at `key` when it holds a value of the expected kind, else a new one. */
  function slot<V extends Value>(key: string, is: (value: Value) => value is V, create: () => V, ttlMs?: number): Entry<V> {
    const entry = live(key);
    if (entry && is(entry.value)) return entry as Entry<V>;
    const fresh: Entry<V> = { value: create(), expiresAt: expiry(ttlMs) };
    entries.set(key, fresh);
    return fresh;
  }
  const isHash = (v: Value): v is Map<string, number> => v instanceof Map;
  const isList = (v: Value): v is string[] => Array.isArray(v);
  const isSet = (v: Value): v is Set<string> => v instanceof Set;

  return {
    kind: "memory",
    async get(key) {
      const value = live(key)?.value;
      return typeof value === "string" ? value : null;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: expiry(ttlMs) });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value, expiresAt: expiry(ttlMs) });
      return true;
    },
    async del(...keys) {
      for (const key of keys) entries.delete(key);
    },
    async incrBy(key, by, ttlMs) {
      const entry = live(key);
      const value = Number(typeof entry?.value === "string" ? entry.value : 0) + by;
      entries.set(key, { value: String(value), expiresAt: entry?.expiresAt ?? expiry(ttlMs) });
      return value;
    },
    async hashIncrBy(key, increments, ttlMs) {
      const hash = slot(key, isHash, () => new Map<string, number>(), ttlMs).value;
      for (const [field, by] of Object.entries(increments)) hash.set(field, (hash.get(field) ?? 0) + by);
    },
    async hashTake(key) {
      const entry = live(key);
      entries.delete(key);
      if (!entry || !isHash(entry.value)) return {};
      return Object.fromEntries([...entry.value].map(([field, value]) => [field, String(value)]));
    },
    async listPush(key, values, ttlMs) {
      slot(key, isList, () => [] as string[], ttlMs).value.push(...values);
    },
    async listTake(key) {
      const entry = live(key);
      entries.delete(key);
      return entry && isList(entry.value) ? entry.value : [];
    },
    async setAdd(key, members) {
      const set = slot(key, isSet, () => new Set<string>()).value;
      for (const member of members) set.add(member);
    },
    async setPop(key, count) {
      const entry = live(key);
      if (!entry || !isSet(entry.value)) return [];
      const taken = [...entry.value].slice(0, count);
      for (const member of taken) entry.value.delete(member);
      return taken;
    },
    async publish(channel, message) {
      for (const handler of channels.get(channel) ?? []) queueMicrotask(() => handler(message));
    },
    async subscribe(channel, handler) {
      let handlers = channels.get(channel);
      if (!handlers) channels.set(channel, (handlers = new Set()));
      handlers.add(handler);
      return async () => {
        handlers.delete(handler);
      };
    },
    async ping() {
      return true;
    },
    async close() {
      entries.clear();
      channels.clear();
    },
  };
}
