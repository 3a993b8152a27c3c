import type { Cache } from "../../infra/cache/cache";

/**
 * The cache channel on which every API replica hears that API keys stopped being valid
 * (revoked, deleted with their environment, or closed with their archived workspace). Replicas that keep keys in memory evict them
 * on this message, so a revoked key is refused everywhere within a second.
 */
export const API_KEY_REVOKED_CHANNEL = "api-key-revoked";

/**
 * The message on {@link API_KEY_REVOKED_CHANNEL}: JSON of this shape, one message per write.
 * `secretHash` is the SHA-256 (hex) under which `findApiKeyByHash` looks the key up, so an
 * in-memory cache keyed by hash can evict without a database round trip. The hash of a
 * 256-bit random key reveals nothing usable; it never leaves the replicas' own channel.
 */
export interface ApiKeyRevokedMessage {
  workspaceId: string;
  environmentId: string;
  keys: { id: string; secretHash: string }[];
  /** `revoked` by an admin, `environment_deleted`, or `workspace_archived`. */
  reason: "revoked" | "environment_deleted" | "workspace_archived";
  at: string;
}

export type RevocationListener = (message: ApiKeyRevokedMessage) => void;

/**
 * Announces revocations after their transaction commits: to this process's listeners at once
 * (so a replica whose cache backend is down still stops accepting the key), and to every
 * replica through the cache's pub/sub. Subscribers: `cache.subscribe(API_KEY_REVOKED_CHANNEL,
 * (text) => evict(JSON.parse(text)))`, and `onLocalRevocation` for this process; a message may
 * arrive twice, so eviction must be idempotent.
 */
export function createApiKeyRevocations(cache: Cache) {
  const listeners = new Set<RevocationListener>();
  return {
    async published(message: ApiKeyRevokedMessage): Promise<void> {
      if (message.keys.length === 0) return;
      for (const listener of listeners) listener(message);
      await cache.publish(API_KEY_REVOKED_CHANNEL, JSON.stringify(message)).catch(() => undefined);
    },
    onLocalRevocation(listener: RevocationListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type ApiKeyRevocations = ReturnType<typeof createApiKeyRevocations>;
