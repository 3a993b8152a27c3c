import type { JsonValue } from "@ensign/contracts/targeting";
import { lookup } from "./attributes";
import { bucketOf, bucketValue } from "./bucket";
import { expiryText, isLive, serve } from "./serve";
import { whyNot } from "./describe";
import { firstFailing } from "./match";
import { failed, step } from "./results";
import type { Session } from "./session";
import { decideByLayer, decideByLockedLayer } from "./layers";
import type { CompiledFlag, CompiledOverride, CompiledRule, CompiledSplit, EvaluationResult, OrderStep, VariantRef } from "./types";

const TENANT_STEPS = ["tenant_deny", "tenant_override_locked", "tenant_allow", "tenant_override"] as const;

/** Steps 5 to 8 of SPEC §2: user override, layers, tenant lists and overrides, rules, fallthrough. */
export function decideByTargeting(session: Session, flag: CompiledFlag, defaultValue: JsonValue): EvaluationResult {
  const precedence = session.compiled.precedence;
  if (precedence !== null) return decideInOrder(session, flag, precedence, defaultValue);
  return (
    decideByUser(session, flag, defaultValue) ??
    decideByTenantStep(session, flag, defaultValue) ??
    decideByRules(session, flag, defaultValue) ??
    fallthrough(session, flag, defaultValue)
  );
}

/** The workspace's own order: a locked layer override first, then each step in turn. */
function decideInOrder(session: Session, flag: CompiledFlag, precedence: readonly OrderStep[], defaultValue: JsonValue): EvaluationResult {
  if (flag.hasLockedLayerOverride) {
    const locked = decideByLockedLayer(session, flag, precedence, defaultValue);
    if (locked !== null) return locked;
  }
  for (const entry of precedence) {
    let decided: EvaluationResult | null;
    if (entry.kind === "user") decided = decideByUser(session, flag, defaultValue);
    else if (entry.kind === "tenant") decided = decideByTenantStep(session, flag, defaultValue);
    else if (entry.kind === "rules") decided = decideByRules(session, flag, defaultValue);
    else decided = decideByLayer(session, flag, entry, defaultValue);
    if (decided !== null) return decided;
  }
  return fallthrough(session, flag, defaultValue);
}

function decideByUser(session: Session, flag: CompiledFlag, defaultValue: JsonValue): EvaluationResult | null {
  const user = session.targetingKey;
  const userOverride = user === undefined || flag.userOverrides.size === 0 ? undefined : flag.userOverrides.get(user);
  if (userOverride !== undefined && isLive(session, userOverride.expiresAt)) {
    if (session.trace !== null) step(session, "user_override", "matched", `user '${user}' is overridden to variant '${userOverride.ref.key}'`);
    return serve(session, flag, userOverride.ref, "TARGETING_MATCH", "USER_OVERRIDE", undefined, defaultValue);
  }
  if (session.trace !== null) traceNoOverride(session, "user_override", "override", user === undefined ? undefined : `user '${user}'`, userOverride);
  return null;
}

function decideByTenantStep(session: Session, flag: CompiledFlag, defaultValue: JsonValue): EvaluationResult | null {
  const tenant = session.tenantKey;
  if (tenant !== undefined && (flag.hasTenantTargeting || session.trace !== null)) return decideByTenant(session, flag, tenant, defaultValue);
  if (session.trace !== null && tenant === undefined) {
    for (const name of TENANT_STEPS) step(session, name, "skipped", "no tenantKey in the context");
  }
  return null;
}

function decideByRules(session: Session, flag: CompiledFlag, defaultValue: JsonValue): EvaluationResult | null {
  const rules = flag.rules;
  if (session.trace !== null) {
    for (const rule of rules) {
      const decided = traceRule(session, flag, rule, defaultValue);
      if (decided !== null) return decided;
    }
  } else if (rules.length > 0) {
    for (let index = flag.findRule(session, 0); index !== -1; index = flag.findRule(session, index + 1)) {
      const decided = serveRule(session, flag, rules[index] as CompiledRule, defaultValue);
      if (decided !== null) return decided;
    }
  }
  return null;
}

function decideByTenant(session: Session, flag: CompiledFlag, tenant: string, defaultValue: JsonValue): EvaluationResult | null {
  // One lookup: the flag's deny list, overrides and allow list for this tenant, folded at compile time.
  const target = flag.tenantTargets.size === 0 ? undefined : flag.tenantTargets.get(tenant);
  if (target === undefined && session.trace === null) return null;
  if (target?.isDenied === true) {
    if (session.trace !== null) step(session, "tenant_deny", "matched", `tenant '${tenant}' is on the deny list`);
    return serve(session, flag, flag.off, "TARGETING_MATCH", "TENANT_DENY", undefined, defaultValue);
  }
  if (session.trace !== null) step(session, "tenant_deny", "skipped", `tenant '${tenant}' is not on the deny list`);

  const override = target?.override;
  const isOverrideLive = override !== undefined && isLive(session, override.expiresAt);
  if (isOverrideLive && override.isLocked) {
    if (session.trace !== null) step(session, "tenant_override_locked", "matched", `tenant '${tenant}' is locked to variant '${override.ref.key}'`);
    return serve(session, flag, override.ref, "TARGETING_MATCH", "TENANT_OVERRIDE_LOCKED", undefined, defaultValue);
  }
  if (session.trace !== null) {
    traceNoOverride(session, "tenant_override_locked", "locked override", `tenant '${tenant}'`, override?.isLocked === true ? override : undefined);
  }

  if (target?.isAllowed === true) {
    if (session.trace !== null) step(session, "tenant_allow", "matched", `tenant '${tenant}' is on the allow list`);
    return serve(session, flag, flag.on, "TARGETING_MATCH", "TENANT_ALLOW", undefined, defaultValue);
  }
  if (session.trace !== null) step(session, "tenant_allow", "skipped", `tenant '${tenant}' is not on the allow list`);

  if (isOverrideLive && !override.isLocked) {
    if (session.trace !== null) step(session, "tenant_override", "matched", `tenant '${tenant}' is overridden to variant '${override.ref.key}'`);
    return serve(session, flag, override.ref, "TARGETING_MATCH", "TENANT_OVERRIDE", undefined, defaultValue);
  }
  if (session.trace !== null) {
    traceNoOverride(session, "tenant_override", "unlocked override", `tenant '${tenant}'`, override?.isLocked === false ? override : undefined);
  }
  return null;
}

export function traceNoOverride(
  session: Session,
  name: string,
  kind: string,
  subject: string | undefined,
  override: CompiledOverride | undefined,
): void {
  if (subject === undefined) return step(session, name, "skipped", "no targetingKey in the context");
  if (override === undefined) return step(session, name, "skipped", `no ${kind} for ${subject}`);
  step(session, name, "skipped", `the ${kind} for ${subject} is ignored: ${expiryText(override.expiresAt)}`);
}

/** A rule whose conditions hold serves, unless its split has no bucket key (then `null`: try the next). */
function serveRule(session: Session, flag: CompiledFlag, rule: CompiledRule, defaultValue: JsonValue): EvaluationResult | null {
  const { ref, split, invalid } = rule.serve;
  if (ref !== null) return serve(session, flag, ref, "TARGETING_MATCH", rule.detail, rule.id, defaultValue);
  if (split !== null) {
    const bucket = bucketFor(session, flag, split);
    return bucket < 0 ? null : serve(session, flag, allocationAt(split, bucket), "SPLIT", rule.detail, rule.id, defaultValue);
  }
  return failed(flag.key, defaultValue, "PARSE_ERROR", `the rule's serve is unusable: ${invalid}`, null);
}

/** The traced twin of the rule step: the interpreter decides and says why for each rule. */
function traceRule(session: Session, flag: CompiledFlag, rule: CompiledRule, defaultValue: JsonValue): EvaluationResult | null {
  const name = `rule:${rule.id}`;
  if (rule.invalid !== null) {
    step(session, name, "skipped", `the rule never matches: ${rule.invalid}`);
    return null;
  }
  const failing = firstFailing(session, rule.conditions);
  if (failing !== -1) {
    step(session, name, "skipped", whyNot(session, rule.conditions, failing));
    return null;
  }
  const { ref, split, invalid } = rule.serve;
  const count = rule.conditions.length;
  const held = count === 0 ? "the rule has no conditions" : count === 1 ? "its condition holds" : `all ${count} conditions hold`;
  if (ref !== null) {
    step(session, name, "matched", `${held}; serves variant '${ref.key}'`);
    return serve(session, flag, ref, "TARGETING_MATCH", rule.detail, rule.id, defaultValue);
  }
  if (split !== null) {
    const bucket = bucketFor(session, flag, split);
    if (bucket < 0) {
      step(session, name, "skipped", `${held}, but the context has no '${split.bucketBy.name}' to split by`);
      return null;
    }
    const picked = allocationAt(split, bucket);
    step(session, name, "matched", `${held}; bucket ${bucket} of the split serves variant '${picked.key}'`);
    return serve(session, flag, picked, "SPLIT", rule.detail, rule.id, defaultValue);
  }
  const message = `the rule's serve is unusable: ${invalid}`;
  step(session, name, "error", message);
  return failed(flag.key, defaultValue, "PARSE_ERROR", message, session.trace);
}

function fallthrough(session: Session, flag: CompiledFlag, defaultValue: JsonValue): EvaluationResult {
  const { ref, split } = flag.fallthrough;
  if (ref !== null) {
    if (session.trace !== null) step(session, "fallthrough", "matched", `serves variant '${ref.key}'`);
    return serve(session, flag, ref, flag.isStatic ? "STATIC" : "DEFAULT", "FALLTHROUGH", undefined, defaultValue);
  }
  const theSplit = split as CompiledSplit;
  const bucket = bucketFor(session, flag, theSplit);
  if (bucket < 0) {
    // Never a random bucket: a context without the split's key gets the off variant.
    if (session.trace !== null) {
      step(session, "fallthrough", "matched", `the context has no '${theSplit.bucketBy.name}' to split by; serves the off variant '${flag.off.key}'`);
    }
    return serve(session, flag, flag.off, "DEFAULT", "FALLTHROUGH:NO_BUCKET_KEY", undefined, defaultValue);
  }
  const picked = allocationAt(theSplit, bucket);
  if (session.trace !== null) step(session, "fallthrough", "matched", `bucket ${bucket} of the split serves variant '${picked.key}'`);
  return serve(session, flag, picked, "SPLIT", "FALLTHROUGH", undefined, defaultValue);
}

/** The context's bucket for a split, or -1 when it has no usable value to bucket by. */
export function bucketFor(session: Session, flag: CompiledFlag, split: CompiledSplit): number {
  const value = bucketValue(lookup(session, split.bucketBy));
  return value === undefined ? -1 : bucketOf(flag.bucketPrefix, value);
}

/** Allocations own consecutive ranges in order, so growing the first never moves anyone out of it. */
export function allocationAt(split: CompiledSplit, bucket: number): VariantRef {
  const allocations = split.allocations;
  for (let i = 0; i < allocations.length - 1; i++) {
    const allocation = allocations[i] as (typeof allocations)[number];
    if (bucket < allocation.upTo) return allocation.ref;
  }
  // Weights total WEIGHT_TOTAL (checked at compile), so the last allocation owns the rest.
  return (allocations[allocations.length - 1] as (typeof allocations)[number]).ref;
}
