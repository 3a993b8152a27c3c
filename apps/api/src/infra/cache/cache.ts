/**
 * The shared cache and message bus of all API replicas: Redis in production, an in-process
 * stand-in in embedded mode. Every method fails fast (rejects) when the backend is unreachable,
 * so callers can fall back to process memory and PostgreSQL instead of hanging.
 */
export interface Cache {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  incrBy(key: string, by: number, ttlMs?: number): Promise<number>;
  publish(channel: string, message: string): Promise<void>;
  /** Calls `handler` for every message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** True when the backend answered just now. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
