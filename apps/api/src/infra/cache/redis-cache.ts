import { Redis } from "ioredis";
import type { Cache } from "./cache";

export interface RedisCacheOptions {
  url: string;
  /** Prefix of every key and channel, so several deployments can share one Redis. */
  prefix?: string;
  onError?: (error: Error) => void;
}

/**
 * Redis behind the Cache interface. Commands are not queued while Redis is unreachable: they
 * reject at once, and callers fall back to process memory and PostgreSQL. The subscriber
 * connection reconnects and resubscribes by itself.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const prefix = options.prefix ?? "ensign:";
  const common = {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
  };
  const client = new Redis(options.url, common);
  // The subscriber needs its offline queue so SUBSCRIBE issued before "ready" is sent on connect.
  const subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true, commandTimeout: undefined });
  const report = (error: Error) => options.onError?.(error);
  client.on("error", report);
  subscriber.on("error", report);

  const handlers = new Map<string, Set<(message: string) => void>>();
  subscriber.on("message", (channel: string, message: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(message);
  });

  return {
    kind: "redis",
    async get(key) {
      return client.get(prefix + key);
    },
    async set(key, value, ttlMs) {
      if (ttlMs) await client.set(prefix + key, value, "PX", ttlMs);
      else await client.set(prefix + key, value);
    },
    async del(...keys) {
      if (keys.length) await client.del(...keys.map((key) => prefix + key));
    },
    async incrBy(key, by, ttlMs) {
      const full = prefix + key;
      if (!ttlMs) return client.incrby(full, by);
      const [[, value]] = (await client.multi().incrby(full, by).pexpire(full, ttlMs, "NX").exec()) as [[Error | null, number]];
      return value;
    },
    async publish(channel, message) {
      await client.publish(prefix + channel, message);
    },
    async subscribe(channel, handler) {
      const full = prefix + channel;
      let set = handlers.get(full);
      if (!set) {
        handlers.set(full, (set = new Set()));
        await subscriber.subscribe(full);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(full);
          await subscriber.unsubscribe(full).catch(() => undefined);
        }
      };
    },
    async ping() {
      try {
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      client.disconnect();
      subscriber.disconnect();
    },
  };
}
