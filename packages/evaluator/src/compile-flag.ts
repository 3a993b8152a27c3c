import { FLAG_TYPES, WEIGHT_TOTAL, type FlagType } from "@ensign/contracts/targeting";
import { attributeRef } from "./attributes";
import { bucketPrefix } from "./bucket";
import { generateRuleFinder, interpretedRuleFinder } from "./codegen";
import { compileCondition, isRecord, type IssueSink } from "./compile-condition";
import { expiryTime } from "./dates";
import { errorText, frozenJson, hasFlagType } from "./json";
import { answer } from "./results";
import type {
  CompiledAllocation,
  CompiledFlag,
  CompiledOverride,
  CompiledRule,
  CompiledSegment,
  CompiledServe,
  CompiledVariant,
  EvaluationResult,
  Prerequisite,
  TenantTarget,
  VariantRef,
} from "./types";

const NO_SERVE: CompiledServe = { ref: null, split: null, invalid: "nothing to serve" };

/** Thrown inside this module only, to stop compiling a flag whose stored form is unusable. */
class Malformed extends Error {}

/**
 * Compiles one stored flag. A flag without a usable key cannot be looked up and is dropped;
 * any other defect yields a flag that answers `ERROR` (`PARSE_ERROR`) with the reason.
 */
export function compileFlag(raw: unknown, segments: ReadonlyMap<string, CompiledSegment>, sink: IssueSink, path: string): CompiledFlag {
  const key = sink.flagKey as string;
  const stored = raw as Record<string, unknown>;
  try {
    return compileWellFormed(key, stored, segments, sink, path);
  } catch (error) {
    const message = error instanceof Malformed ? error.message : `compiling it failed: ${errorText(error)}`;
    sink.issues.push({ flagKey: key, path, message });
    return malformedFlag(key, message, stored);
  }
}

function compileWellFormed(
  key: string,
  stored: Record<string, unknown>,
  segments: ReadonlyMap<string, CompiledSegment>,
  sink: IssueSink,
  path: string,
): CompiledFlag {
  const type = stored.type;
  if (typeof type !== "string" || !(FLAG_TYPES as readonly string[]).includes(type)) throw new Malformed(`unknown type '${String(type)}'`);
  const flagType = type as FlagType;
  const variants = compileVariants(stored.variants, flagType);
  const state = stored.state;
  if (!isRecord(state)) throw new Malformed("the flag has no state");
  if (typeof state.enabled !== "boolean") throw new Malformed("state.enabled is not a boolean");
  if (!Array.isArray(state.rules)) throw new Malformed("state.rules is not a list");
  const salt = requireString(stored.salt, "salt");
  const fallthrough = compileServe(state.fallthrough, variants);
  if (fallthrough.invalid !== null) throw new Malformed(`the fallthrough is unusable: ${fallthrough.invalid}`);
  const rules = state.rules.map((rule, index) => compileRule(rule, index, variants, segments, sink, `${path}.state.rules[${index}]`));
  const tenantAllow = new Set(stringList(state.tenantAllow, "state.tenantAllow"));
  const tenantDeny = new Set(stringList(state.tenantDeny, "state.tenantDeny"));
  const tenantOverrides = compileOverrides(state.tenantOverrides, "tenantKey", variants, sink, `${path}.state.tenantOverrides`);
  const tenantTargets = tenantTargetsOf(tenantDeny, tenantAllow, tenantOverrides);
  const userOverrides = compileOverrides(state.userOverrides, "userKey", variants, sink, `${path}.state.userOverrides`);
  const layerOverrides = compileLayerOverrides(state.layerOverrides, variants, sink, `${path}.state.layerOverrides`);
  const module = typeof stored.module === "string" ? stored.module : null;
  const prerequisites = stringList(stored.dependsOn, "dependsOn").map(prerequisite);
  const off = refTo(requireString(stored.offVariant, "offVariant"), variants);
  const isStatic =
    rules.length === 0 &&
    tenantTargets.size === 0 &&
    userOverrides.size === 0 &&
    layerOverrides.size === 0;
  return {
    key,
    type: flagType,
    isArchived: stored.archived === true,
    isDeprecated: stored.deprecated === true,
    malformed: null,
    module,
    prerequisites,
    isEnabled: state.enabled,
    off,
    on: refTo(requireString(stored.onVariant, "onVariant"), variants),
    userOverrides,
    tenantTargets,
    layerOverrides,
    hasLockedLayerOverride: [...layerOverrides.values()].some((byValue) => [...byValue.values()].some((override) => override.isLocked)),
    hasTenantTargeting: tenantTargets.size > 0,
    rules,
    findRule: generateRuleFinder(rules, sink.generateCode),
    fallthrough,
    isStatic,
    constant: module !== null || prerequisites.length > 0 ? null : constantAnswer(key, state.enabled, off, isStatic ? fallthrough.ref : null),
    bucketPrefix: bucketPrefix(key, salt),
    stateVersion: typeof state.version === "number" ? state.version : 0,
  };
}

/** The deny list, allow list and overrides folded by tenant: what the flag says about each tenant it names. */
function tenantTargetsOf(deny: ReadonlySet<string>, allow: ReadonlySet<string>, overrides: ReadonlyMap<string, CompiledOverride>): Map<string, TenantTarget> {
  const targets = new Map<string, TenantTarget>();
  for (const tenant of new Set([...deny, ...allow, ...overrides.keys()])) {
    targets.set(tenant, { isDenied: deny.has(tenant), isAllowed: allow.has(tenant), override: overrides.get(tenant) });
  }
  return targets;
}

/** A flag that answers `PARSE_ERROR`; its other fields are inert so nothing can misread them. */
export function malformedFlag(key: string, reason: string, stored: Record<string, unknown>): CompiledFlag {
  const nothing: VariantRef = { key: "", variant: undefined };
  const type = stored.type;
  return {
    key,
    type: (FLAG_TYPES as readonly unknown[]).includes(type) ? (type as FlagType) : "json",
    isArchived: stored.archived === true,
    isDeprecated: stored.deprecated === true,
    malformed: reason,
    module: null,
    prerequisites: [],
    isEnabled: false,
    off: nothing,
    on: nothing,
    userOverrides: new Map(),
    tenantTargets: new Map(),
    layerOverrides: new Map(),
    hasLockedLayerOverride: false,
    hasTenantTargeting: false,
    rules: [],
    findRule: interpretedRuleFinder([]),
    fallthrough: NO_SERVE,
    isStatic: false,
    constant: null,
    bucketPrefix: bucketPrefix(key, ""),
    stateVersion: 0,
  };
}

/**
 * What a flag without module or prerequisites answers whatever the context, as `resolveFlag`
 * decides it: switched off, its off variant (`DISABLED`, `FLAG_DISABLED`); switched on without
 * overrides, lists or rules, its fallthrough variant (`STATIC`, `FALLTHROUGH`). `null` when the
 * answer depends on the context (`served` is `null`: targeting or a split decides) or is an
 * error (a missing variant, or one of the wrong type), which evaluation reports itself.
 */
function constantAnswer(key: string, isEnabled: boolean, off: VariantRef, served: VariantRef | null): EvaluationResult | null {
  const ref = isEnabled ? served : off;
  const variant = ref?.variant;
  if (variant === undefined || !variant.isTypeValid) return null;
  return isEnabled ? answer(key, variant, "STATIC", "FALLTHROUGH", undefined) : answer(key, variant, "DISABLED", "FLAG_DISABLED", undefined);
}

function compileVariants(raw: unknown, type: FlagType): ReadonlyMap<string, CompiledVariant> {
  if (!Array.isArray(raw)) throw new Malformed("variants is not a list");
  const variants = new Map<string, CompiledVariant>();
  for (const entry of raw as unknown[]) {
    if (!isRecord(entry) || typeof entry.key !== "string") throw new Malformed("a variant has no key");
    if (variants.has(entry.key)) continue;
    const value = frozenJson(entry.value);
    // A non-JSON or wrongly typed value is kept but marked: serving it answers TYPE_MISMATCH.
    variants.set(entry.key, { key: entry.key, value: value ?? null, isTypeValid: value !== undefined && hasFlagType(value, type), served: [] });
  }
  return variants;
}

function refTo(key: string, variants: ReadonlyMap<string, CompiledVariant>): VariantRef {
  return { key, variant: variants.get(key) };
}

function compileServe(raw: unknown, variants: ReadonlyMap<string, CompiledVariant>): CompiledServe {
  if (!isRecord(raw)) return { ...NO_SERVE, invalid: "not a variant or a split" };
  if (typeof raw.variant === "string") return { ref: refTo(raw.variant, variants), split: null, invalid: null };
  const split = raw.split;
  if (!isRecord(split) || !Array.isArray(split.allocations) || split.allocations.length === 0) {
    return { ...NO_SERVE, invalid: "not a variant or a split" };
  }
  const allocations: CompiledAllocation[] = [];
  let total = 0;
  for (const allocation of split.allocations as unknown[]) {
    if (!isRecord(allocation) || typeof allocation.variant !== "string") return { ...NO_SERVE, invalid: "an allocation names no variant" };
    const weight = allocation.weight;
    if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 0 || weight > WEIGHT_TOTAL) {
      return { ...NO_SERVE, invalid: `allocation weights are integers from 0 to ${WEIGHT_TOTAL}` };
    }
    total += weight;
    allocations.push({ ref: refTo(allocation.variant, variants), upTo: total });
  }
  if (total !== WEIGHT_TOTAL) return { ...NO_SERVE, invalid: `split weights total ${total}, not ${WEIGHT_TOTAL}` };
  const bucketBy = typeof split.bucketBy === "string" && split.bucketBy.length > 0 ? split.bucketBy : "targetingKey";
  return { ref: null, split: { allocations, bucketBy: attributeRef(bucketBy) }, invalid: null };
}

function compileRule(
  raw: unknown,
  index: number,
  variants: ReadonlyMap<string, CompiledVariant>,
  segments: ReadonlyMap<string, CompiledSegment>,
  sink: IssueSink,
  path: string,
): CompiledRule {
  const stored = isRecord(raw) ? raw : {};
  const hasId = typeof stored.id === "string" && stored.id.length > 0;
  const id = hasId ? (stored.id as string) : `#${index + 1}`;
  const serve = compileServe(stored.serve, variants);
  if (serve.invalid !== null) sink.issues.push({ flagKey: sink.flagKey as string, path: `${path}.serve`, message: serve.invalid });
  const conditions = Array.isArray(stored.conditions)
    ? (stored.conditions as unknown[]).map((c, i) => compileCondition(c, segments, sink, `${path}.conditions[${i}]`))
    : [];
  const invalid = !hasId ? "the rule has no id" : !Array.isArray(stored.conditions) ? "the rule's conditions are not a list" : null;
  if (invalid !== null) sink.issues.push({ flagKey: sink.flagKey as string, path, message: invalid });
  return { id, detail: `RULE:${id}`, conditions, serve, invalid };
}

function compileOverrides(
  raw: unknown,
  keyName: "tenantKey" | "userKey",
  variants: ReadonlyMap<string, CompiledVariant>,
  sink: IssueSink,
  path: string,
): ReadonlyMap<string, CompiledOverride> {
  const overrides = new Map<string, CompiledOverride>();
  if (raw === undefined) return overrides;
  if (!Array.isArray(raw)) throw new Malformed(`${path.slice(path.lastIndexOf(".") + 1)} is not a list`);
  (raw as unknown[]).forEach((entry, index) => {
    const subject = isRecord(entry) ? entry[keyName] : undefined;
    if (!isRecord(entry) || typeof subject !== "string" || typeof entry.variant !== "string") {
      sink.issues.push({ flagKey: sink.flagKey as string, path: `${path}[${index}]`, message: `the override has no ${keyName} or variant; ignored` });
      return;
    }
    if (overrides.has(subject)) return;
    overrides.set(subject, { ref: refTo(entry.variant, variants), expiresAt: expiryTime(entry.expiresAt), isLocked: entry.locked === true });
  });
  return overrides;
}

/** Layer overrides grouped by layer, then value; the first for a layer and value is used. */
function compileLayerOverrides(
  raw: unknown,
  variants: ReadonlyMap<string, CompiledVariant>,
  sink: IssueSink,
  path: string,
): ReadonlyMap<string, ReadonlyMap<string, CompiledOverride>> {
  const layers = new Map<string, Map<string, CompiledOverride>>();
  if (raw === undefined) return layers;
  if (!Array.isArray(raw)) throw new Malformed("state.layerOverrides is not a list");
  (raw as unknown[]).forEach((entry, index) => {
    if (!isRecord(entry) || typeof entry.layer !== "string" || typeof entry.value !== "string" || typeof entry.variant !== "string") {
      sink.issues.push({ flagKey: sink.flagKey as string, path: `${path}[${index}]`, message: "the override has no layer, value or variant; ignored" });
      return;
    }
    let byValue = layers.get(entry.layer);
    if (byValue === undefined) layers.set(entry.layer, (byValue = new Map()));
    if (byValue.has(entry.value)) return;
    byValue.set(entry.value, { ref: refTo(entry.variant, variants), expiresAt: expiryTime(entry.expiresAt), isLocked: entry.locked === true });
  });
  return layers;
}

function prerequisite(key: string): Prerequisite {
  return { key, detail: `PREREQUISITE_FAILED:${key}` };
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== "string") throw new Malformed(`${name} is not a string`);
  return value;
}

/** A list of strings; absent means empty, anything else is a defect of the flag. */
function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw new Malformed(`${name} is not a list of strings`);
  return value as string[];
}
