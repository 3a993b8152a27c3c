import type { Cache } from "./cache";
import { createMemoryCache } from "./memory-cache";
import { createRedisCache } from "./redis-cache";

/** Redis when a URL is configured, else the in-process stand-in. */
export function openCache(url: string | undefined, onError?: (error: Error) => void): Cache {
  return url ? createRedisCache({ url, onError }) : createMemoryCache();
}
