import type { FlagStatus, Rollout } from "@ensign/contracts/flags";
import { WEIGHT_TOTAL, type Serve } from "@ensign/contracts/targeting";

/** What the flags table needs to know about one flag state. */
export interface StateFacts {
  enabled: boolean;
  fallthrough: Serve;
  tenantAllow: readonly string[];
  tenantDeny: readonly string[];
  ruleCount: number;
  /** Unexpired tenant overrides. */
  overrideCount: number;
  /** Unexpired user overrides. */
  userOverrideCount: number;
  /** Unexpired overrides of the workspace's override layers. */
  layerOverrideCount?: number;
}

export interface OnOff {
  offVariant: string;
  onVariant: string;
}

/**
 * `off`: disabled, or enabled and serving the off variant to everyone. `on`: enabled, nothing
 * targets, and the fallthrough serves one variant other than the off variant. `partial`: enabled
 * with rules, a split, an allow or deny list, or overrides. The list's SQL filter
 * (`flags-list.repository.ts`) computes the same thing.
 */
export function statusOf(facts: StateFacts, flag: OnOff): FlagStatus {
  if (!facts.enabled) return "off";
  const targets =
    facts.ruleCount > 0 ||
    facts.overrideCount > 0 ||
    facts.userOverrideCount > 0 ||
    (facts.layerOverrideCount ?? 0) > 0 ||
    facts.tenantAllow.length > 0 ||
    facts.tenantDeny.length > 0 ||
    "split" in facts.fallthrough;
  if (targets) return "partial";
  return "variant" in facts.fallthrough && facts.fallthrough.variant === flag.offVariant ? "off" : "on";
}

function percent(weight: number): string {
  return `${Number(((weight * 100) / WEIGHT_TOTAL).toFixed(3))}%`;
}

/** Share (0-100) of the fallthrough that is served the on variant; null when it serves neither on nor off. */
export function onPercentage(fallthrough: Serve, flag: OnOff): number | null {
  if ("variant" in fallthrough) {
    if (fallthrough.variant === flag.onVariant) return 100;
    return fallthrough.variant === flag.offVariant ? 0 : null;
  }
  const allocations = fallthrough.split.allocations;
  if (!allocations.some((a) => a.variant === flag.onVariant || a.variant === flag.offVariant)) return null;
  const on = allocations.filter((a) => a.variant === flag.onVariant).reduce((sum, a) => sum + a.weight, 0);
  return Number(((on * 100) / WEIGHT_TOTAL).toFixed(3));
}

function describeServe(serve: Serve, flag: OnOff): string {
  if ("variant" in serve) {
    if (serve.variant === flag.onVariant) return "on";
    return serve.variant === flag.offVariant ? "off" : `serves ${serve.variant}`;
  }
  const allocations = serve.split.allocations.filter((a) => a.weight > 0);
  const onOnly = allocations.every((a) => a.variant === flag.onVariant || a.variant === flag.offVariant);
  if (onOnly) {
    const on = allocations.filter((a) => a.variant === flag.onVariant).reduce((sum, a) => sum + a.weight, 0);
    return `${percent(on)} ${flag.onVariant}`;
  }
  return allocations.map((a) => `${percent(a.weight)} ${a.variant}`).join(" / ");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "off", "on", "30% on", "3 rules, else off", "on, 2 tenants denied", ... */
export function rolloutOf(facts: StateFacts, flag: OnOff): Rollout {
  if (!facts.enabled) return { summary: "off", percentage: 0 };
  const fallthrough = describeServe(facts.fallthrough, flag);
  const parts = [facts.ruleCount > 0 ? `${plural(facts.ruleCount, "rule")}, else ${fallthrough}` : fallthrough];
  if (facts.tenantAllow.length > 0) parts.push(`${plural(facts.tenantAllow.length, "tenant")} allowed`);
  if (facts.tenantDeny.length > 0) parts.push(`${plural(facts.tenantDeny.length, "tenant")} denied`);
  return { summary: parts.join(", "), percentage: onPercentage(facts.fallthrough, flag) };
}
