import type { Cache } from "./cache";

interface Entry {
  value: string;
  expiresAt: number;
}

/** The embedded mode's cache: one process, so pub/sub is a local fan-out. */
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

  return {
    kind: "memory",
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: ttlMs ? now() + ttlMs : Number.POSITIVE_INFINITY });
    },
    async del(...keys) {
      for (const key of keys) entries.delete(key);
    },
    async incrBy(key, by, ttlMs) {
      const entry = live(key);
      const value = Number(entry?.value ?? 0) + by;
      entries.set(key, {
        value: String(value),
        expiresAt: entry?.expiresAt ?? (ttlMs ? now() + ttlMs : Number.POSITIVE_INFINITY),
      });
      return value;
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
