import { bucketOf, bucketPrefix } from "./bucket";

/**
 * The bucket, in [0, 100000), that a split of flag `flagKey` with `salt` puts a bucket value
 * in: `murmur3_32("<flagKey>/<salt>/<value>", seed 0) mod 100000` over UTF-8 bytes. For
 * explaining a rollout ("user 42 is in bucket 31337"); evaluation uses a precomputed prefix.
 */
export function splitBucket(flagKey: string, salt: string, value: string): number {
  return bucketOf(bucketPrefix(flagKey, salt), value);
}
