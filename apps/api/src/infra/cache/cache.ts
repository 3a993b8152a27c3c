/**
 * The shared cache and message bus of all API replicas: Redis in production, an in-process
 * stand-in in embedded mode. Every method fails fast (rejects) when the backend is unreachable,
 * so callers can fall back to process memory and PostgreSQL instead of hanging.
 */
export interface Cache {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets the key only when it does not exist (a lock or a claim); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  incrBy(key: string, by: number, ttlMs?: number): Promise<number>;
  /** Adds each amount to its field of the hash at `key`, in one round trip. */
  hashIncrBy(key: string, increments: Record<string, number>, ttlMs?: number): Promise<void>;
  /** Reads and removes the hash at `key` atomically: no increment is counted twice or lost. */
  hashTake(key: string): Promise<Record<string, string>>;
  /** Appends values to the list at `key`. */
  listPush(key: string, values: string[], ttlMs?: number): Promise<void>;
  /** Reads and removes the whole list at `key` atomically. */
  listTake(key: string): Promise<string[]>;
  setAdd(key: string, members: string[]): Promise<void>;
  /** Removes and returns up to `count` members of the set at `key`. */
  setPop(key: string, count: number): Promise<string[]>;
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for every message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** True when the backend answered just now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
