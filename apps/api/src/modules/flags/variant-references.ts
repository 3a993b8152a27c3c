import type { Tx } from "../../infra/db/scoped";
import { flagStatesRepository as states } from "./flag-states.repository";
import { flagsRepository as repo } from "./flags.repository";
import { servedVariants } from "./targeting-validation";

export interface VariantUse {
  variant: string;
  where: string;
}

/** Where any of `variants` is still served: fallthroughs and rules in every environment, and overrides. */
export async function variantReferences(tx: Tx, workspaceId: string, flagId: string, variants: string[]): Promise<VariantUse[]> {
  const wanted = new Set(variants);
  const uses: VariantUse[] = [];
  for (const state of await states.allOfFlag(tx, workspaceId, flagId)) {
    for (const variant of servedVariants(state.fallthrough)) {
      if (wanted.has(variant)) uses.push({ variant, where: `fallthrough in ${state.environmentKey}` });
    }
    state.rules.forEach((rule, i) => {
      for (const variant of servedVariants(rule.serve)) {
        if (wanted.has(variant)) uses.push({ variant, where: `rule ${i + 1} in ${state.environmentKey}` });
      }
    });
  }
  uses.push(...(await repo.overrideVariantUses(tx, workspaceId, flagId, variants)));
  return uses;
}
