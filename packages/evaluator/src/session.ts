import { OBJECT_PROTOTYPE, isPlainObject } from "./own";
import type { CompiledFlag, CompiledSegment, CompiledSnapshot, CompiledTenant, TraceStep } from "./types";

type Context = Record<string, unknown>;

/** Everything one evaluation (or one bulk evaluation) reads, resolved once per call. */
export interface Session {
  readonly compiled: CompiledSnapshot;
  readonly context: Context;
  /**
   * The context inherits straight from `Object.prototype` (or nothing): a defined property
   * `Object.prototype` lacks is then necessarily its own, which spares a `hasOwn` per read.
   */
  readonly isPlain: boolean;
  readonly targetingKey: string | undefined;
  readonly tenantKey: string | undefined;
  /** The identity's traits; `null` until first needed. */
  traits: Readonly<Context> | undefined | null;
  /** The context's tenant; `null` until first needed. */
  tenant: CompiledTenant | undefined | null;
  /** The injected moment, or `NaN` until `nowOf` first needs the clock. */
  now: number;
  /** Steps of the flag being evaluated; `null` when no trace was asked for. */
  trace: TraceStep[] | null;
  readonly isTracing: boolean;
  /** The flag being evaluated, whose hash prefix `percentage` conditions use. */
  flag: CompiledFlag;
  /** Keys of the flags whose prerequisites are being evaluated, outermost first; created on first use. */
  chain: string[] | null;
  /** Set when a prerequisite cycle or an over-deep chain was found: every level then answers `ERROR`. */
  fault: string | null;
  /** Segments whose rules are being evaluated, created on first use. */
  segmentChain: CompiledSegment[] | null;
}

/**
 * Opens a session for a context, or returns why the context is unusable. Traits, tenant and
 * clock are looked up lazily because most evaluations never need them.
 */
export function openSession(compiled: CompiledSnapshot, context: unknown, now: unknown, isTracing: boolean): Session | string {
  if (typeof context !== "object" || context === null || Array.isArray(context)) return "the context is not an object";
  const values = context as Context;
  const isPlain = isPlainObject(values);
  // Spelled out per key (not a shared helper) so each read stays a monomorphic property load.
  let targetingKey = values.targetingKey;
  if (targetingKey !== undefined && !(isPlain && OBJECT_PROTOTYPE.targetingKey === undefined) && !Object.hasOwn(values, "targetingKey")) {
    targetingKey = undefined;
  }
  let tenantKey = values.tenantKey;
  if (tenantKey !== undefined && !(isPlain && OBJECT_PROTOTYPE.tenantKey === undefined) && !Object.hasOwn(values, "tenantKey")) {
    tenantKey = undefined;
  }
  if (targetingKey === null) targetingKey = undefined;
  if (tenantKey === null) tenantKey = undefined;
  if (targetingKey !== undefined && typeof targetingKey !== "string") return "targetingKey is not a string";
  if (tenantKey !== undefined && typeof tenantKey !== "string") return "tenantKey is not a string";
  return {
    compiled,
    context: values,
    isPlain,
    targetingKey,
    tenantKey,
    traits: null,
    tenant: null,
    now: typeof now === "number" && Number.isFinite(now) ? now : Number.NaN,
    trace: null,
    isTracing,
    flag: undefined as unknown as CompiledFlag,
    chain: null,
    fault: null,
    segmentChain: null,
  };
}

/** The stored traits of the context's identity, if any. */
export function traitsOf(session: Session): Readonly<Context> | undefined {
  let traits = session.traits;
  if (traits === null) {
    const key = session.targetingKey;
    traits = key === undefined || session.compiled.identities.size === 0 ? undefined : session.compiled.identities.get(key);
    session.traits = traits;
  }
  return traits;
}

/** The stored tenant of the context, if any. */
export function tenantOf(session: Session): CompiledTenant | undefined {
  let tenant = session.tenant;
  if (tenant === null) {
    const key = session.tenantKey;
    tenant = key === undefined ? undefined : session.compiled.tenants.get(key);
    session.tenant = tenant;
  }
  return tenant;
}

/** The moment of evaluation: the injected one, else the clock, read once per session. */
export function nowOf(session: Session): number {
  if (Number.isNaN(session.now)) session.now = Date.now();
  return session.now;
}
