import { buildUrl, conditionalGet, type FetchLike } from "../http";
import { EnsignError } from "../types";

type Traits = Readonly<Record<string, unknown>>;

export interface IdentityTraitsOptions {
  url: string;
  headers: Record<string, string>;
  fetch: FetchLike;
  timeoutMs: number;
  /** Identities held at most; the least recently used leave first. */
  maxEntries: number;
  /** How long held traits are trusted while nothing would announce their change (no stream). */
  maxAgeMs: () => number;
}

interface Held {
  traits: Traits | null;
  at: number;
}

const parseTraits = (body: unknown): Traits | undefined => {
  const traits = (body as { traits?: unknown } | null)?.traits;
  return traits && typeof traits === "object" && !Array.isArray(traits) ? (traits as Traits) : undefined;
};

/**
 * The stored traits of the identities a local client evaluates, read from
 * `GET /v1/identities/:key/traits` (server key) when first needed and held in an LRU: null for
 * a key without an identity (404). The change stream's `identity` events drop what is held for
 * a key; without a stream, held traits are read again after `maxAgeMs`.
 */
export function createIdentityTraits(options: IdentityTraitsOptions) {
  const held = new Map<string, Held>();
  const loading = new Map<string, Promise<Traits | null>>();

  function hold(key: string, traits: Traits | null) {
    held.delete(key);
    held.set(key, { traits, at: Date.now() });
    for (const oldest of held.keys()) {
      if (held.size <= options.maxEntries) break;
      held.delete(oldest);
    }
  }

  async function fetchTraits(key: string): Promise<Traits | null> {
    try {
      const result = await conditionalGet(options.fetch, buildUrl(options.url, `/v1/identities/${encodeURIComponent(key)}/traits`), {
        headers: options.headers,
        timeoutMs: options.timeoutMs,
        parse: parseTraits,
      });
      return result.notModified ? null : result.body;
    } catch (error) {
      if (error instanceof EnsignError && error.details.status === 404) return null;
      throw error;
    }
  }

  return {
    /** The traits held for the key: an object, null when it has no identity, undefined when not held (or too old). */
    peek(key: string): Traits | null | undefined {
      const entry = held.get(key);
      if (!entry || Date.now() - entry.at > options.maxAgeMs()) return undefined;
      held.delete(key);
      held.set(key, entry);
      return entry.traits;
    },

    /** Reads the key's traits from Ensign unless held; concurrent callers share one request. Rejects on failure. */
    load(key: string): Promise<Traits | null> {
      const known = this.peek(key);
      if (known !== undefined) return Promise.resolve(known);
      let pending = loading.get(key);
      if (!pending) {
        pending = fetchTraits(key)
          .then((traits) => {
            hold(key, traits);
            return traits;
          })
          .finally(() => loading.delete(key));
        loading.set(key, pending);
      }
      return pending;
    },

    /** The key's traits changed on the server. */
    forget(key: string): void {
      held.delete(key);
    },

    /** Events may have been missed (the stream was away): nothing held can be trusted. */
    clear(): void {
      held.clear();
    },

    get size() {
      return held.size;
    },
  };
}

export type IdentityTraits = ReturnType<typeof createIdentityTraits>;
