import { attributeRef } from "./attributes";
import { isRecord } from "./compile-condition";
import type { CompileIssue, CompiledLayer, OrderStep } from "./types";

const USER: OrderStep = { kind: "user" };
const TENANT: OrderStep = { kind: "tenant" };
const RULES: OrderStep = { kind: "rules" };
const BUILT_INS: Readonly<Record<string, OrderStep>> = { user: USER, tenant: TENANT, rules: RULES };

/** The workspace's override dimensions; a layer without a usable key or attribute is dropped. */
export function compileLayers(raw: unknown, issues: CompileIssue[]): CompiledLayer[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    issues.push({ path: "layers", message: "not a list; ignored" });
    return [];
  }
  const layers: CompiledLayer[] = [];
  (raw as unknown[]).forEach((entry, index) => {
    const path = `layers[${index}]`;
    if (!isRecord(entry) || typeof entry.key !== "string" || entry.key.length === 0 || typeof entry.attribute !== "string" || entry.attribute.length === 0) {
      issues.push({ path, message: "the layer has no key or attribute; dropped" });
      return;
    }
    const key = entry.key;
    if (Object.hasOwn(BUILT_INS, key) || layers.some((layer) => layer.key === key)) {
      issues.push({ path, message: `layer '${key}' repeats a name already in the order; dropped` });
      return;
    }
    const values = Array.isArray(entry.values) ? (entry.values as unknown[]).filter((value): value is string => typeof value === "string") : [];
    layers.push({
      kind: "layer",
      key,
      attribute: attributeRef(entry.attribute),
      values,
      stepName: `layer:${key}`,
      detail: `LAYER_OVERRIDE:${key}`,
      lockedDetail: `LAYER_OVERRIDE_LOCKED:${key}`,
    });
  });
  return layers;
}

/**
 * The override order. Without a stored order, layers go between the user and the tenant step
 * (SPEC §2). A stored order names each step once; unknown names are dropped, and a step it
 * leaves out is put back where the default order has it. `null` stands for the built-in order
 * without layers, which evaluation runs without a loop.
 */
export function compilePrecedence(raw: unknown, layers: readonly CompiledLayer[], issues: CompileIssue[]): OrderStep[] | null {
  const named = new Map<string, OrderStep>(Object.entries(BUILT_INS));
  for (const layer of layers) named.set(layer.key, layer);
  const order: OrderStep[] = [];
  const seen = new Set<string>();
  if (raw !== undefined) {
    if (!Array.isArray(raw)) issues.push({ path: "precedence", message: "not a list; the default order is used" });
    else {
      (raw as unknown[]).forEach((name, index) => {
        const step = typeof name === "string" ? named.get(name) : undefined;
        if (step === undefined || seen.has(name as string)) {
          issues.push({ path: `precedence[${index}]`, message: `'${String(name)}' is not a step of the order or appears twice; ignored` });
          return;
        }
        seen.add(name as string);
        order.push(step);
      });
    }
  }
  const defaults: [string, OrderStep][] = [["user", USER], ...layers.map((layer): [string, OrderStep] => [layer.key, layer]), ["tenant", TENANT], ["rules", RULES]];
  defaults.forEach(([name, step], index) => {
    if (seen.has(name)) return;
    if (raw !== undefined) issues.push({ path: "precedence", message: `'${name}' is missing; put back at its default place` });
    // Before the next default step already placed, so a missing layer lands ahead of the tenant.
    const next = defaults.slice(index + 1).find(([other]) => seen.has(other));
    const at = next === undefined ? order.length : order.indexOf(next[1]);
    order.splice(at, 0, step);
    seen.add(name);
  });
  const isBuiltIn = order.length === 3 && order[0] === USER && order[1] === TENANT && order[2] === RULES;
  return isBuiltIn ? null : order;
}
