import { BUILT_IN_LAYERS } from "@ensign/contracts/snapshot";
import { invalid } from "../../infra/errors";

/** The default order: the user, the layers as they were made, the tenant, the rules (SPEC §2). */
export function defaultOrder(layerKeys: readonly string[]): string[] {
  return ["user", ...layerKeys, "tenant", "rules"];
}

/** The order in force: the stored one, or the default when none is stored. */
export function effectiveOrder(stored: readonly string[], layerKeys: readonly string[]): string[] {
  return stored.length === 0 ? defaultOrder(layerKeys) : [...stored];
}

export function isDefault(order: readonly string[], layerKeys: readonly string[]): boolean {
  const fallback = defaultOrder(layerKeys);
  return order.length === fallback.length && order.every((step, i) => step === fallback[i]);
}

/** Refuses an order that does not name every built-in step and every layer exactly once. */
export function requireCompleteOrder(order: readonly string[], layerKeys: readonly string[]): void {
  const expected = [...BUILT_IN_LAYERS, ...layerKeys];
  const unknown = order.filter((step) => !expected.includes(step));
  const missing = expected.filter((step) => !order.includes(step));
  const repeated = order.filter((step, i) => order.indexOf(step) !== i);
  if (unknown.length + missing.length + repeated.length === 0) return;
  const problems = [
    unknown.length > 0 ? `unknown: ${unknown.join(", ")}` : null,
    missing.length > 0 ? `missing: ${missing.join(", ")}` : null,
    repeated.length > 0 ? `repeated: ${[...new Set(repeated)].join(", ")}` : null,
  ].filter((problem) => problem !== null);
  throw invalid(`The order must name user, tenant, rules and each layer exactly once (${problems.join("; ")}).`, [
    { path: "body.order", message: `must be a permutation of ${expected.join(", ")}` },
  ]);
}

/** A new layer joins a stored order just ahead of the tenant step, where the default puts layers. */
export function withLayer(stored: readonly string[], key: string): string[] {
  if (stored.length === 0) return [];
  const at = stored.indexOf("tenant");
  return at === -1 ? [...stored, key] : [...stored.slice(0, at), key, ...stored.slice(at)];
}
