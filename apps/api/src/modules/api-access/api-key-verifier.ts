import type { FastifyBaseLogger } from "fastify";
import type { PrismaClient } from "../../generated/prisma/client";
import type { Cache } from "../../infra/cache/cache";
import { isDatabaseUnavailable } from "../../infra/error-handler";
import { apiKeyKindOf, sha256 } from "../auth/secrets";
import { apiKeyAccessRepository as repo } from "./api-key-access.repository";
import { API_KEY_REVOKED_CHANNEL } from "./api-key-revocations";

export interface VerifiedKey {
  id: string;
  workspaceId: string;
  environmentId: string;
  kind: "server" | "client";
  hash: string;
}

const COPY_TTL_MS = 3_600_000;
const NEGATIVE_TTL_MS = 10_000;
const MAX_NEGATIVE = 10_000;
const copyKey = (hash: string) => `apikey:${hash}`;

/**
 * Verifies API keys by the SHA-256 of the presented secret, once per key per replica: a verified
 * key stays in process memory (no database per request), and in Redis under its hash, so a
 * replica started while PostgreSQL is down still knows it. Revocation reaches every replica at
 * once through the `api-key-revoked` channel (hash or id); every `recheckMs` the cached keys are
 * checked again against PostgreSQL in one query, which also records when each was last used.
 * Unknown secrets are remembered briefly, so a flood of bad keys does not reach the database.
 */
export function createApiKeyVerifier(deps: { prisma: PrismaClient; cache: Cache; log: FastifyBaseLogger; recheckMs: number }) {
  const { prisma, cache, log } = deps;
  const verified = new Map<string, VerifiedKey>();
  // The hot path's index: by the presented secret itself, so a known key costs one map lookup
  // and no hashing. Bounded; entries leave with their key.
  const bySecret = new Map<string, VerifiedKey>();
  const unknown = new Map<string, number>();
  const used = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;

  function forget(hashOrId: string) {
    const hash = verified.has(hashOrId) ? hashOrId : [...verified.values()].find((key) => key.id === hashOrId)?.hash;
    if (hash) {
      verified.delete(hash);
      for (const [secret, key] of bySecret) if (key.hash === hash) bySecret.delete(secret);
      void cache.del(copyKey(hash)).catch(() => undefined);
    } else if (/^[0-9a-f]{64}$/.test(hashOrId)) {
      void cache.del(copyKey(hashOrId)).catch(() => undefined);
    }
  }

  async function fromCopy(hash: string): Promise<VerifiedKey | null> {
    const text = await cache.get(copyKey(hash)).catch(() => null);
    if (!text) return null;
    try {
      return { ...(JSON.parse(text) as Omit<VerifiedKey, "hash">), hash };
    } catch {
      return null;
    }
  }

  async function lookup(hash: string): Promise<VerifiedKey | null> {
    try {
      const row = await repo.findActiveByHash(prisma, hash);
      if (!row) return null;
      const key: VerifiedKey = { id: row.id, workspaceId: row.workspaceId, environmentId: row.environmentId, kind: row.kind, hash };
      const { hash: _hash, ...copy } = key;
      void cache.set(copyKey(hash), JSON.stringify(copy), COPY_TTL_MS).catch(() => undefined);
      return key;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const copy = await fromCopy(hash);
      if (copy) return copy;
      throw error;
    }
  }

  async function recheck(): Promise<void> {
    const hashes = [...verified.keys()];
    const ids = [...used];
    used.clear();
    try {
      const active = await repo.activeHashes(prisma, hashes);
      for (const hash of hashes) if (!active.has(hash)) forget(hash);
      await repo.touch(prisma, ids, new Date());
    } catch (error) {
      // PostgreSQL is away: keep the keys we know; check again next round.
      for (const id of ids) used.add(id);
      if (!isDatabaseUnavailable(error)) log.error({ err: error }, "api key recheck failed");
    }
  }

  return {
    /** The key a secret belongs to when it is cached (the hot path), else undefined. */
    cached(secret: string): VerifiedKey | undefined {
      const key = bySecret.get(secret);
      if (key) used.add(key.id);
      return key;
    },

    /** The key a secret belongs to, or null when it is unknown, revoked or malformed. */
    async verify(secret: string): Promise<VerifiedKey | null> {
      if (!apiKeyKindOf(secret)) return null;
      const hash = sha256(secret);
      const known = verified.get(hash);
      if (known) {
        bySecret.set(secret, known);
        used.add(known.id);
        return known;
      }
      const missUntil = unknown.get(hash);
      if (missUntil !== undefined && missUntil > Date.now()) return null;
      const key = await lookup(hash);
      if (!key) {
        if (unknown.size >= MAX_NEGATIVE) unknown.clear();
        unknown.set(hash, Date.now() + NEGATIVE_TTL_MS);
        return null;
      }
      verified.set(hash, key);
      if (bySecret.size >= MAX_NEGATIVE) bySecret.clear();
      bySecret.set(secret, key);
      used.add(key.id);
      return key;
    },

    async start(): Promise<void> {
      unsubscribe = await cache.subscribe(API_KEY_REVOKED_CHANNEL, (message) => {
        for (const value of revokedKeysIn(message)) forget(value);
      });
      timer = setInterval(() => void recheck(), deps.recheckMs);
      timer.unref();
    },

    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await unsubscribe?.().catch(() => undefined);
    },

    /** Drops a key from this replica at once (the revoking replica calls this as well as publishing). */
    forget,
    recheck,
    size: () => verified.size,
  };
}

export type ApiKeyVerifier = ReturnType<typeof createApiKeyVerifier>;

/**
 * The hashes and ids a revocation message names: `{keys: [{id, secretHash}]}` as the API keys
 * module publishes it, a single `{hash | secretHash | id}`, or a bare hash or id.
 */
export function revokedKeysIn(message: string): string[] {
  const text = message.trim();
  try {
    const parsed = JSON.parse(text) as { keys?: { id?: string; secretHash?: string }[]; hash?: string; secretHash?: string; id?: string };
    if (Array.isArray(parsed.keys)) return parsed.keys.flatMap((key) => [key.secretHash, key.id].filter((v): v is string => !!v));
    const single = parsed.hash ?? parsed.secretHash ?? parsed.id;
    return single ? [single] : [];
  } catch {
    return text ? [text] : [];
  }
}
