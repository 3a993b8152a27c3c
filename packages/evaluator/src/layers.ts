import type { JsonValue } from "@ensign/contracts/targeting";
import { lookup } from "./attributes";
import { canonical } from "./coerce";
import { step } from "./results";
import { expiryText, isLive, serve } from "./serve";
import type { Session } from "./session";
import type { CompiledFlag, CompiledLayer, CompiledOverride, EvaluationResult, OrderStep } from "./types";

/** The context's value for a layer in canonical form (`"5"` for 5), or undefined when it has none. */
function valueOf(session: Session, layer: CompiledLayer): string | undefined {
  return canonical(lookup(session, layer.attribute));
}

function overrideOf(flag: CompiledFlag, layer: CompiledLayer, value: string | undefined): CompiledOverride | undefined {
  if (value === undefined) return undefined;
  return flag.layerOverrides.get(layer.key)?.get(value);
}

/**
 * A live locked layer override wins over every step of the order (user and tenant overrides,
 * rules): the workspace's "no exceptions" for one value, e.g. a platform switched off whatever
 * else says. When several layers have one, the order decides between them.
 */
export function decideByLockedLayer(session: Session, flag: CompiledFlag, precedence: readonly OrderStep[], defaultValue: JsonValue): EvaluationResult | null {
  for (const entry of precedence) {
    if (entry.kind !== "layer") continue;
    const value = valueOf(session, entry);
    const override = overrideOf(flag, entry, value);
    if (override === undefined || !override.isLocked || !isLive(session, override.expiresAt)) continue;
    if (session.trace !== null) {
      step(session, entry.stepName, "matched", `${entry.key} '${value}' is locked to variant '${override.ref.key}', ahead of every other step`);
    }
    return serve(session, flag, override.ref, "TARGETING_MATCH", entry.lockedDetail, undefined, defaultValue);
  }
  return null;
}

/** One layer at its place in the order: the unlocked override for the context's value. */
export function decideByLayer(session: Session, flag: CompiledFlag, layer: CompiledLayer, defaultValue: JsonValue): EvaluationResult | null {
  if (flag.layerOverrides.size === 0 && session.trace === null) return null;
  const value = valueOf(session, layer);
  const override = overrideOf(flag, layer, value);
  if (override !== undefined && !override.isLocked && isLive(session, override.expiresAt)) {
    if (session.trace !== null) step(session, layer.stepName, "matched", `${layer.key} '${value}' is overridden to variant '${override.ref.key}'`);
    return serve(session, flag, override.ref, "TARGETING_MATCH", layer.detail, undefined, defaultValue);
  }
  if (session.trace === null) return null;
  if (value === undefined) step(session, layer.stepName, "skipped", `no '${layer.attribute.name}' in the context`);
  else if (override === undefined) step(session, layer.stepName, "skipped", `no override for ${layer.key} '${value}'`);
  else step(session, layer.stepName, "skipped", `the ${override.isLocked ? "locked " : ""}override for ${layer.key} '${value}' is ignored: ${expiryText(override.expiresAt)}`);
  return null;
}
