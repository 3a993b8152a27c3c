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
  // A SUBSCRIBE that failed while Redis was away is not replayed by ioredis: on every
  // (re)connection, subscribe to every channel we have handlers for (SUBSCRIBE is idempotent).
  subscriber.on("ready", () => {
    if (handlers.size) subscriber.subscribe(...handlers.keys()).catch(() => undefined);
  });
  const withTtl = (pipeline: ReturnType<Redis["multi"]>, key: string, ttlMs?: number) =>
    ttlMs ? pipeline.pexpire(key, ttlMs, "NX") : pipeline;

  return {
    kind: "redis",
    async get(key) {
      return client.get(prefix + key);
    },
    async set(key, value, ttlMs) {
      if (ttlMs) await client.set(prefix + key, value, "PX", ttlMs);
      else await client.set(prefix + key, value);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await client.set(prefix + key, value, "PX", ttlMs, "NX")) === "OK";
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
    async hashIncrBy(key, increments, ttlMs) {
      const full = prefix + key;
      const pipeline = client.multi();
      for (const [field, by] of Object.entries(increments)) pipeline.hincrby(full, field, by);
      await withTtl(pipeline, full, ttlMs).exec();
    },
    async hashTake(key) {
      const full = prefix + key;
      const results = (await client.multi().hgetall(full).del(full).exec()) ?? [];
      return (results[0]?.[1] as Record<string, string> | undefined) ?? {};
    },
    async listPush(key, values, ttlMs) {
      if (values.length === 0) return;
      const full = prefix + key;
      await withTtl(client.multi().rpush(full, ...values), full, ttlMs).exec();
    },
    async listTake(key) {
      const full = prefix + key;
      const results = (await client.multi().lrange(full, 0, -1).del(full).exec()) ?? [];
      return (results[0]?.[1] as string[] | undefined) ?? [];
    },
    async setAdd(key, members) {
      if (members.length) await client.sadd(prefix + key, ...members);
    },
    async setPop(key, count) {
      return (await client.spop(prefix + key, count)) ?? [];
    },
    async publish(channel, message) {
      await client.publish(prefix + channel, message);
    },
    async subscribe(channel, handler) {
      const full = prefix + channel;
      let set = handlers.get(full);
      if (!set) {
        handlers.set(full, (set = new Set()));
        // While Redis is away this fails; the "ready" handler subscribes once it is back.
        await subscriber.subscribe(full).catch(() => undefined);
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
