import type { Serve } from "@ensign/contracts/targeting";
import { WEIGHT_TOTAL } from "@ensign/contracts/targeting";

/**
 * The fallthrough of a percentage rollout: the on variant to `percent` % of contexts, the off
 * variant to the rest, bucketed by `by` (`targetingKey` when absent). The on variant comes first,
 * so raising the percentage never turns anyone off; 0 and 100 serve one variant outright, as the
 * API's `set_rollout` schedules do.
 */
export function rolloutServe(flag: { onVariant: string; offVariant: string }, percent: number, by?: string): Serve {
  if (percent >= 100) return { variant: flag.onVariant };
  if (percent <= 0) return { variant: flag.offVariant };
  const on = Math.round(percent * 1000);
  return {
    split: {
      allocations: [
        { variant: flag.onVariant, weight: on },
        { variant: flag.offVariant, weight: WEIGHT_TOTAL - on },
      ],
      ...(by ? { bucketBy: by } : {}),
    },
  };
}

/** `variant on`, or `on 30%, off 70% by tenantKey`. */
export function describeServe(serve: Serve): string {
  if ("variant" in serve) return `variant ${serve.variant}`;
  const parts = serve.split.allocations.filter((a) => a.weight > 0).map((a) => `${a.variant} ${a.weight / 1000}%`);
  return `${parts.join(", ")}${serve.split.bucketBy ? ` by ${serve.split.bucketBy}` : ""}`;
}

/**
 * One spelling per meaning, for comparing: no zero weights, one full allocation as its variant,
 * `targetingKey` as no bucketBy. The order of the allocations stays: it decides who is in which.
 */
export function canonicalServe(serve: Serve): Serve {
  if ("variant" in serve) return { variant: serve.variant };
  const allocations = serve.split.allocations.filter((a) => a.weight > 0);
  if (allocations.length === 1) return { variant: allocations[0]!.variant };
  const bucketBy = serve.split.bucketBy && serve.split.bucketBy !== "targetingKey" ? serve.split.bucketBy : undefined;
  return { split: { allocations: allocations.map((a) => ({ variant: a.variant, weight: a.weight })), ...(bucketBy ? { bucketBy } : {}) } };
}
