import type { Cache } from "../../infra/cache/cache";

/**
 * The cache channel on which every API replica hears that an API key stopped being valid
 * (revoked, or deleted with its environment). Replicas that keep keys in memory evict them
 * on this message, so a revoked key is refused everywhere within a second.
 */
export const API_KEY_REVOKED_CHANNEL = "api-key-revoked";

/**
 * One message on {@link API_KEY_REVOKED_CHANNEL} per key, as JSON of this shape.
 * `secretHash` is the SHA-256 (hex) under which keys are looked up, so a cache keyed by hash
 * evicts without a database round trip; `id` serves caches keyed by id. The hash of a 256-bit
 * random key reveals nothing usable, and it never leaves the replicas' own channel.
 */
export interface ApiKeyRevokedMessage {
  id: string;
  secretHash: string;
  workspaceId: string;
  environmentId: string;
  /** `revoked` by an admin, or `environment_deleted` with its environment. */
  reason: "revoked" | "environment_deleted";
  at: string;
}

export type RevocationListener = (message: ApiKeyRevokedMessage) => void;

/**
 * Announces revocations after their transaction commits: to this process's listeners at once
 * (so the revoking replica stops accepting the key even when the cache backend is down), and to
 * every replica through the cache's pub/sub. Subscribers: `cache.subscribe(API_KEY_REVOKED_CHANNEL,
 * (text) => evict(JSON.parse(text).secretHash))`, and `onLocalRevocation` in this process. A
 * message may arrive twice (locally and through the channel): eviction must be idempotent.
 */
export function createApiKeyRevocations(cache: Cache) {
  const listeners = new Set<RevocationListener>();
  return {
    async published(messages: ApiKeyRevokedMessage[]): Promise<void> {
      for (const message of messages) {
        for (const listener of listeners) listener(message);
        await cache.publish(API_KEY_REVOKED_CHANNEL, JSON.stringify(message)).catch(() => undefined);
      }
    },
    onLocalRevocation(listener: RevocationListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ApiKeyRevocations = ReturnType<typeof createApiKeyRevocations>;
