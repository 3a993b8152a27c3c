import type { FieldIssue } from "@ensign/contracts/common";
import type { ExportFlag, WorkspaceExport } from "@ensign/contracts/export";
import type { Condition, FlagType, JsonValue, RuleBody, Serve } from "@ensign/contracts/targeting";

const ROOT = "body.document";

function duplicates(keys: string[]): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const key of keys) (seen.has(key) ? twice : seen).add(key);
  return twice;
}

function fitsType(type: FlagType, value: JsonValue): boolean {
  if (type === "boolean") return typeof value === "boolean";
  if (type === "string") return typeof value === "string";
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  return true;
}

function serveVariants(serve: Serve): string[] {
  return "variant" in serve ? [serve.variant] : serve.split.allocations.map((allocation) => allocation.variant);
}

/**
 * What the zod schema cannot see: that the document's records refer to each other correctly
 * (modules, environments, variants, prerequisites, segments, tenants exist; keys are unique;
 * prerequisites have no cycle). Returns every problem, each with its path in the request.
 */
export function documentIssues(doc: WorkspaceExport): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path: `${ROOT}.${path}`, message });

  const unique = (what: string, keys: string[]) => {
    for (const key of duplicates(keys)) issue(what, `'${key}' appears more than once`);
  };
  unique("environments", doc.environments.map((e) => e.key));
  unique("modules", doc.modules.map((m) => m.key));
  unique("flags", doc.flags.map((f) => f.key));
  unique("segments", doc.segments.map((s) => s.key));
  unique("tenants", doc.tenants.map((t) => t.key));

  const environments = new Set(doc.environments.map((e) => e.key));
  const modules = new Set(doc.modules.map((m) => m.key));
  const segments = new Set(doc.segments.map((s) => s.key));
  const tenants = new Set(doc.tenants.map((t) => t.key));
  const flags = new Map(doc.flags.map((f) => [f.key, f]));

  const checkConditions = (path: string, conditions: Condition[], allowSegments: boolean) =>
    conditions.forEach((condition, c) => {
      if (condition.operator !== "in_segment") return;
      if (!allowSegments) return issue(`${path}.${c}.operator`, "a segment cannot refer to another segment");
      condition.values.forEach((value, v) => {
        if (!segments.has(String(value))) issue(`${path}.${c}.values.${v}`, `no segment '${value}' in the document`);
      });
    });

  doc.flags.forEach((flag, f) => flagIssues(flag, `flags.${f}`));

  function flagIssues(flag: ExportFlag, at: string) {
    const variants = new Set(flag.variants.map((v) => v.key));
    for (const key of duplicates(flag.variants.map((v) => v.key))) issue(`${at}.variants`, `variant '${key}' appears more than once`);
    flag.variants.forEach((variant, v) => {
      if (!fitsType(flag.type, variant.value)) issue(`${at}.variants.${v}.value`, `must be a ${flag.type}`);
    });
    const variant = (path: string, key: string) => {
      if (!variants.has(key)) issue(path, `no variant '${key}' in flag '${flag.key}'`);
    };
    variant(`${at}.offVariant`, flag.offVariant);
    variant(`${at}.onVariant`, flag.onVariant);
    if (flag.module !== null && !modules.has(flag.module)) issue(`${at}.module`, `no module '${flag.module}' in the document`);
    flag.dependsOn.forEach((key, d) => {
      if (key === flag.key || !flags.has(key)) issue(`${at}.dependsOn.${d}`, `no other flag '${key}' in the document`);
    });
    for (const [env, state] of Object.entries(flag.states)) {
      if (!environments.has(env)) issue(`${at}.states.${env}`, `no environment '${env}' in the document`);
      for (const key of serveVariants(state.fallthrough)) variant(`${at}.states.${env}.fallthrough`, key);
      state.rules.forEach((rule: RuleBody, r) => {
        for (const key of serveVariants(rule.serve)) variant(`${at}.states.${env}.rules.${r}.serve`, key);
        checkConditions(`${at}.states.${env}.rules.${r}.conditions`, rule.conditions, true);
      });
    }
    for (const env of Object.keys(flag.schedules)) {
      if (!environments.has(env)) issue(`${at}.schedules.${env}`, `no environment '${env}' in the document`);
    }
  }

  const cycle = prerequisiteCycle(doc.flags);
  if (cycle) issue("flags", `prerequisites form a cycle: ${cycle.join(" -> ")}`);

  doc.segments.forEach((segment, s) =>
    segment.rules.forEach((rule, r) => checkConditions(`segments.${s}.rules.${r}.conditions`, rule.conditions, false)),
  );
  doc.tenants.forEach((tenant, t) => {
    for (const module of Object.keys(tenant.modules)) {
      if (!modules.has(module)) issue(`tenants.${t}.modules.${module}`, `no module '${module}' in the document`);
    }
  });

  const override = (path: string, flagKey: string, env: string, variantKey: string) => {
    const flag = flags.get(flagKey);
    if (!flag) issue(`${path}.flag`, `no flag '${flagKey}' in the document`);
    else if (!flag.variants.some((v) => v.key === variantKey)) issue(`${path}.variant`, `no variant '${variantKey}' in flag '${flagKey}'`);
    if (!environments.has(env)) issue(`${path}.environment`, `no environment '${env}' in the document`);
  };
  doc.tenantOverrides.forEach((o, i) => {
    override(`tenantOverrides.${i}`, o.flag, o.environment, o.variant);
    if (!tenants.has(o.tenant)) issue(`tenantOverrides.${i}.tenant`, `no tenant '${o.tenant}' in the document`);
  });
  doc.userOverrides.forEach((o, i) => override(`userOverrides.${i}`, o.flag, o.environment, o.variant));
  doc.identities.forEach((identity, i) => {
    if (!environments.has(identity.environment)) issue(`identities.${i}.environment`, `no environment '${identity.environment}' in the document`);
  });

  unique("overrideLayers", doc.overrideLayers.map((l) => l.key));
  unique("overrideLayers", doc.overrideLayers.map((l) => l.attribute));
  const layers = new Map(doc.overrideLayers.map((l) => [l.key, l]));
  doc.overrideLayers.forEach((layer, l) => {
    for (const value of duplicates(layer.values)) issue(`overrideLayers.${l}.values`, `'${value}' appears more than once`);
  });
  doc.layerOverrides.forEach((o, i) => {
    override(`layerOverrides.${i}`, o.flag, o.environment, o.variant);
    const layer = layers.get(o.layer);
    if (!layer) issue(`layerOverrides.${i}.layer`, `no override layer '${o.layer}' in the document`);
    else if (!layer.values.includes(o.value)) issue(`layerOverrides.${i}.value`, `layer '${o.layer}' has no value '${o.value}'`);
  });
  if (doc.overrideOrder.length > 0) {
    const expected = ["user", "tenant", "rules", ...layers.keys()];
    const isComplete = doc.overrideOrder.length === expected.length && expected.every((step) => doc.overrideOrder.includes(step));
    if (!isComplete) issue("overrideOrder", `must name ${expected.join(", ")} exactly once each`);
  }

  unique("tenantOverrides", doc.tenantOverrides.map((o) => `${o.flag}/${o.environment}/${o.tenant}`));
  unique("userOverrides", doc.userOverrides.map((o) => `${o.flag}/${o.environment}/${o.userKey}`));
  unique("layerOverrides", doc.layerOverrides.map((o) => `${o.flag}/${o.environment}/${o.layer}/${o.value}`));
  unique("identities", doc.identities.map((i) => `${i.environment}/${i.key}`));
  return issues;
}

/** A prerequisite cycle among the flags, as the keys along it, or undefined. */
export function prerequisiteCycle(flags: { key: string; dependsOn: string[] }[]): string[] | undefined {
  const edges = new Map(flags.map((flag) => [flag.key, flag.dependsOn]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (key: string): string[] | undefined => {
    if (state.get(key) === "done") return undefined;
    if (state.get(key) === "visiting") return [...path.slice(path.indexOf(key)), key];
    state.set(key, "visiting");
    path.push(key);
    for (const next of edges.get(key) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(key, "done");
    return undefined;
  };
  for (const flag of flags) {
    const found = visit(flag.key);
    if (found) return found;
  }
  return undefined;
}
