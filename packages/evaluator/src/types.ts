import type { EvaluationResult, TraceStep } from "@ensign/contracts/evaluation";
import type { PatternMatcher } from "@ensign/contracts/regex";
import type { FlagType, JsonValue } from "@ensign/contracts/targeting";
import type { SemVer } from "semver";
import type { BucketPrefix } from "./bucket";
import type { FlagIndex } from "./flag-index";
import type { Session } from "./session";

/** How `compile` builds the evaluation form. */
export interface CompileOptions {
  /**
   * Build rule matchers as generated functions (the default, several times faster). Pass
   * `false` where a Content Security Policy forbids `unsafe-eval` and you want no attempt at
   * all; without it, compile falls back to the interpreter by itself when generation fails.
   */
  generateCode?: boolean;
}

/** How `evaluate` is asked to resolve one flag. */
export interface EvaluateOptions {
  /** Returned with reason `ERROR` whenever the flag cannot be resolved. */
  defaultValue?: JsonValue;
  /** The type the caller asked for; a flag of another type answers `TYPE_MISMATCH`. */
  expectedType?: FlagType;
  /** The moment of evaluation in epoch milliseconds; `Date.now()` when not a finite number. */
  now?: number;
  /** Record every step taken and why in `result.trace`. */
  trace?: boolean;
}

/** How `evaluateAll` is asked to resolve every flag. */
export interface EvaluateAllOptions {
  /** The moment of evaluation in epoch milliseconds; `Date.now()` when not a finite number. */
  now?: number;
  /** Record every step taken and why in each result's `trace`. */
  trace?: boolean;
}

/** Something in a snapshot that `compile` could not use as written. */
export interface CompileIssue {
  /** The flag concerned, when there is one. */
  flagKey?: string;
  /** Where in the snapshot, e.g. `flags[3].state.rules[0].conditions[1]`. */
  path: string;
  message: string;
}

/** An environment snapshot turned into the form evaluation runs on; see `compile`. */
export interface CompiledSnapshot {
  readonly schemaVersion: number;
  readonly workspace: string;
  readonly environment: string;
  readonly version: number;
  readonly generatedAt: string;
  /** Whether rule matchers are generated functions (see `CompileOptions`). */
  readonly generateCode: boolean;
  /** The environment's master switch: while on, every flag serves its off variant (`DISABLED`, `MASTER_SWITCH`). */
  readonly isMasterSwitchOn: boolean;
  /** Set when the whole snapshot is unusable: every evaluation then answers `ERROR`. */
  readonly failure: string | null;
  /** What compile could not use; the affected conditions never match, the affected flags answer `ERROR`. */
  readonly issues: readonly CompileIssue[];
  /** By key; a replaced flag costs the flag, not a copy of the index (see `FlagIndex`). */
  readonly flags: FlagIndex;
  /** Flag keys in snapshot order, archived ones included. */
  readonly flagOrder: readonly string[];
  /** The flags that are not archived, in snapshot order: what bulk evaluation walks. */
  readonly activeFlags: readonly CompiledFlag[];
  readonly segments: ReadonlyMap<string, CompiledSegment>;
  readonly tenants: ReadonlyMap<string, CompiledTenant>;
  /** The workspace's end-user roles, for `role_at_least`. */
  readonly roles: RoleHierarchy;
  readonly identities: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** The workspace's override dimensions, in the snapshot's order. */
  readonly layers: readonly CompiledLayer[];
  /**
   * The override order (steps 5 to 7 of SPEC §2) when it is not the built-in one; `null` for
   * `user`, `tenant`, `rules` with no layers, which takes the path without a loop.
   */
  readonly precedence: readonly OrderStep[] | null;
}

/** One override dimension ("layer"): overrides per value of a context attribute. */
export interface CompiledLayer {
  readonly kind: "layer";
  readonly key: string;
  readonly attribute: AttributeRef;
  readonly values: readonly string[];
  /** `layer:<key>`, the trace step. */
  readonly stepName: string;
  /** `LAYER_OVERRIDE:<key>`. */
  readonly detail: string;
  /** `LAYER_OVERRIDE_LOCKED:<key>`. */
  readonly lockedDetail: string;
}

/** One step of the override order: a built-in one or a layer. */
export type OrderStep = { readonly kind: "user" } | { readonly kind: "tenant" } | { readonly kind: "rules" } | CompiledLayer;

export interface CompiledVariant {
  readonly key: string;
  /** A frozen copy of the stored value. */
  readonly value: JsonValue;
  /** Whether the value has the flag's type; serving one that does not answers `TYPE_MISMATCH`. */
  readonly isTypeValid: boolean;
  /** The untraced results served with this variant so far, reused (read-only) by later evaluations. */
  readonly served: EvaluationResult[];
}

/** A variant named by a rule, override or split; `variant` is undefined when no such variant exists. */
export interface VariantRef {
  readonly key: string;
  readonly variant: CompiledVariant | undefined;
}

/** A tenant a flag names: on its deny list, its allow list, with an override, or several of these. */
export interface TenantTarget {
  readonly isDenied: boolean;
  readonly isAllowed: boolean;
  readonly override: CompiledOverride | undefined;
}

export interface CompiledOverride {
  readonly ref: VariantRef;
  /** Epoch ms; `Infinity` when it never expires, `NaN` when the stored date is unreadable. */
  readonly expiresAt: number;
  readonly isLocked: boolean;
}

export interface CompiledAllocation {
  readonly ref: VariantRef;
  /** Exclusive upper bound of this allocation's bucket range. */
  readonly upTo: number;
}

export interface CompiledSplit {
  readonly allocations: readonly CompiledAllocation[];
  readonly bucketBy: AttributeRef;
}

/** What a rule or the fallthrough serves. Exactly one of `ref`, `split`, `invalid` is set. */
export interface CompiledServe {
  readonly ref: VariantRef | null;
  readonly split: CompiledSplit | null;
  /** Why the stored serve cannot be used: serving it answers `ERROR`. */
  readonly invalid: string | null;
}

/** Runs a condition list: the index of the first condition that does not hold, or -1 when all hold. */
export type Matcher = (session: Session) => number;

/** A list of conditions (AND) with its matcher. */
export interface CompiledConditions {
  readonly conditions: readonly CompiledCondition[];
  readonly match: Matcher;
}

/** Finds the first rule, from index `from` on, whose conditions all hold: its index, or -1. */
export type RuleFinder = (session: Session, from: number) => number;

export interface CompiledRule {
  readonly id: string;
  /** `RULE:<id>`, built once. */
  readonly detail: string;
  readonly conditions: readonly CompiledCondition[];
  readonly serve: CompiledServe;
  /** Why the rule can never match, when its stored form is unusable. */
  readonly invalid: string | null;
}

export interface Prerequisite {
  readonly key: string;
  /** `PREREQUISITE_FAILED:<key>`, built once. */
  readonly detail: string;
}

export interface CompiledFlag {
  readonly key: string;
  readonly type: FlagType;
  readonly isArchived: boolean;
  readonly isDeprecated: boolean;
  /** Why the stored flag cannot be evaluated; it then answers `ERROR` with `PARSE_ERROR`. */
  readonly malformed: string | null;
  readonly module: string | null;
  readonly prerequisites: readonly Prerequisite[];
  readonly isEnabled: boolean;
  readonly off: VariantRef;
  readonly on: VariantRef;
  readonly userOverrides: ReadonlyMap<string, CompiledOverride>;
  /**
   * What the flag says about each tenant it names (deny list, allow list, override), by tenant
   * key: one lookup decides step 6 for a tenant, none for a flag that names no tenant.
   */
  readonly tenantTargets: ReadonlyMap<string, TenantTarget>;
  /** Overrides by layer key, then by the attribute's value. */
  readonly layerOverrides: ReadonlyMap<string, ReadonlyMap<string, CompiledOverride>>;
  /** Any locked layer override: without one, the locked pass ahead of the order is skipped. */
  readonly hasLockedLayerOverride: boolean;
  /** Any tenant list or override at all: without one, step 6 is skipped outright. */
  readonly hasTenantTargeting: boolean;
  readonly rules: readonly CompiledRule[];
  readonly findRule: RuleFinder;
  readonly fallthrough: CompiledServe;
  /** No rules, overrides or lists: the fallthrough variant is the flag's one value (reason `STATIC`). */
  readonly isStatic: boolean;
  /**
   * The flag's answer when no context can change it (no module, prerequisites, overrides, lists
   * or rules; switched off, or on with a single fallthrough variant), worked out once: evaluation
   * returns it without deciding anything while the master switch is off. `null` otherwise.
   */
  readonly constant: EvaluationResult | null;
  /** The hash state after `<flagKey>/<salt>/`, the fixed start of every bucket hash input. */
  readonly bucketPrefix: BucketPrefix;
  readonly stateVersion: number;
}

/** Where a condition or split reads its value. */
export interface AttributeRef {
  readonly name: string;
  /** The name split on dots when it has any, for nested lookups. */
  readonly path: readonly string[] | null;
  /** `tenant.<name>`: read from the stored attributes of the context's tenant. */
  readonly isTenant: boolean;
}

export interface CompiledCondition {
  readonly op: number;
  readonly attribute: AttributeRef;
  readonly isNegated: boolean;
  /** Canonical string forms for `in`, `not_in`, `equals`. */
  readonly strings: ReadonlySet<string> | null;
  /** Operands of the string operators; the role keys of `role_at_least`. */
  readonly texts: readonly string[];
  /** `lt`…`gte` operand; `percentage` threshold in buckets; `before`/`after` absolute epoch ms. */
  readonly number: number;
  /** `before`/`after` relative to now: the offset in ms to add to `now`. */
  readonly isRelative: boolean;
  readonly regex: PatternMatcher | null;
  readonly semvers: readonly SemverOperand[];
  readonly segments: readonly (CompiledSegment | string)[];
  /** Why the condition can never match (refused regex, bad values, unknown operator). */
  readonly invalid: string | null;
  /** The stored form, for traces. */
  readonly source: { readonly attribute: string; readonly operator: string; readonly values: readonly unknown[] };
}

/** A pre-parsed semantic version operand. */
export type SemverOperand = SemVer;

export interface CompiledSegment {
  readonly key: string;
  readonly includedUsers: ReadonlySet<string>;
  readonly excludedUsers: ReadonlySet<string>;
  readonly includedTenants: ReadonlySet<string>;
  readonly excludedTenants: ReadonlySet<string>;
  /** Filled after every segment exists, so rules can reference any segment (even their own). */
  rules: readonly CompiledConditions[];
}

export interface CompiledTenant {
  readonly key: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly disabledModules: ReadonlySet<string>;
  /** The workspace's roles with the tenant's own, when it defines any; else the workspace's apply. */
  readonly roles: RoleHierarchy | null;
}

/** Each role key → every role it is at least (itself and all it inherits, transitively). */
export type RoleHierarchy = ReadonlyMap<string, ReadonlySet<string>>;

export type { EvaluationResult, TraceStep };
