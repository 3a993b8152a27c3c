import type { EnvironmentSnapshot } from "@ensign/contracts/snapshot";
import type { Cache } from "../../infra/cache/cache";
import type { Sealer } from "./sealing";

/** What a replica needs about an environment besides its snapshot: identity and token settings. */
export interface EnvironmentMeta {
  environmentId: string;
  environmentKey: string;
  workspaceId: string;
  workspaceSlug: string;
  /** HS256 secret of context tokens. Never leaves the process unsealed. */
  contextSecret: string;
  contextIssuer: string | null;
  contextJwksUrl: string | null;
  /** Client keys must present a signed context token (server keys never need one). */
  requireContextToken: boolean;
  /** Request headers added to the evaluation context as `header.<name>`; usually none. */
  exposedHeaders: readonly string[];
  /** Whether the environment had any identity when the snapshot was made (new ones bump the version). */
  hasIdentities: boolean;
}

interface StoredCopy {
  snapshot: EnvironmentSnapshot;
  meta: Omit<EnvironmentMeta, "contextSecret"> & { sealedContextSecret: string };
}

const COPY_TTL_MS = 7 * 86_400_000;
const copyKey = (environmentId: string, version: number) => `snapshot:${environmentId}:${version}`;
const currentKey = (environmentId: string) => `snapshot:${environmentId}:current`;

/**
 * The snapshots every replica shares through Redis: `snapshot:<env>:<version>` holds the stored
 * snapshot (with the context secret sealed), `snapshot:<env>:current` the newest version written.
 * A replica that hears of a change reads the copy instead of querying PostgreSQL, and a replica
 * started while PostgreSQL is down serves the newest copy. Every call fails soft: Redis being
 * away only means PostgreSQL is asked instead.
 */
export function createSnapshotCopies(cache: Cache, sealer: Sealer) {
  function decode(text: string | null): { snapshot: EnvironmentSnapshot; json: string; meta: EnvironmentMeta } | undefined {
    if (!text) return undefined;
    try {
      const copy = JSON.parse(text) as StoredCopy;
      // The copy is written as `{"snapshot":<json>,"meta":<meta>}`, and no JSON string holds an unescaped quote.
      const metaAt = text.lastIndexOf(',"meta":');
      const json = text.startsWith('{"snapshot":') && metaAt > 0 ? text.slice('{"snapshot":'.length, metaAt) : JSON.stringify(copy.snapshot);
      const { sealedContextSecret, ...meta } = copy.meta;
      // A copy without the token requirement predates it: rebuild rather than guess it is off.
      if (typeof meta.requireContextToken !== "boolean") return undefined;
      // A copy without exposed headers predates them, when no environment had any.
      if (!Array.isArray(meta.exposedHeaders)) meta.exposedHeaders = [];
      // A copy that does not say: assume identities, so traits are looked up.
      if (typeof meta.hasIdentities !== "boolean") meta.hasIdentities = true;
      const contextSecret = sealer.unseal(sealedContextSecret);
      if (contextSecret === undefined) return undefined;
      return { snapshot: copy.snapshot, json, meta: { ...meta, contextSecret } };
    } catch {
      return undefined;
    }
  }

  return {
    async read(environmentId: string, version: number) {
      return decode(await cache.get(copyKey(environmentId, version)).catch(() => null));
    },

    /** The newest copy any replica wrote: for when PostgreSQL cannot be asked. */
    async readNewest(environmentId: string) {
      const version = Number(await cache.get(currentKey(environmentId)).catch(() => null));
      return Number.isInteger(version) && version > 0 ? this.read(environmentId, version) : undefined;
    },

    /** Writes the copy, then moves the `current` pointer forward; `json` is the snapshot already serialized. */
    async write(json: string, version: number, meta: EnvironmentMeta): Promise<void> {
      const { contextSecret, ...rest } = meta;
      const sealedMeta = JSON.stringify({ ...rest, sealedContextSecret: sealer.seal(contextSecret) });
      try {
        await cache.set(copyKey(meta.environmentId, version), `{"snapshot":${json},"meta":${sealedMeta}}`, COPY_TTL_MS);
        const current = Number(await cache.get(currentKey(meta.environmentId)));
        if (!(current >= version)) await cache.set(currentKey(meta.environmentId), String(version), COPY_TTL_MS);
      } catch {
        // Redis is away: the next replica that needs this version builds it from PostgreSQL.
      }
    },
  };
}

export type SnapshotCopies = ReturnType<typeof createSnapshotCopies>;
