import { readOwn, type AttributeSource } from "./attributes";
import type { CompiledFlag, CompiledSegment, CompiledSnapshot, CompiledTenant, TraceStep } from "./types";

/** Everything one evaluation (or one bulk evaluation) reads, resolved once per call. */
export interface Session extends AttributeSource {
  readonly compiled: CompiledSnapshot;
  readonly targetingKey: string | undefined;
  readonly tenantKey: string | undefined;
  readonly tenant: CompiledTenant | undefined;
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
 * Opens a session for a context, or returns why the context is unusable. The clock is read
 * lazily because most evaluations never look at it.
 */
export function openSession(compiled: CompiledSnapshot, context: unknown, now: unknown, isTracing: boolean): Session | string {
  if (typeof context !== "object" || context === null || Array.isArray(context)) return "the context is not an object";
  const targetingKey = keyOf(context, "targetingKey");
  if (targetingKey === null) return "targetingKey is not a string";
  const tenantKey = keyOf(context, "tenantKey");
  if (tenantKey === null) return "tenantKey is not a string";
  const tenant = tenantKey === undefined ? undefined : compiled.tenants.get(tenantKey);
  return {
    context,
    traits: targetingKey === undefined ? undefined : compiled.identities.get(targetingKey),
    tenantAttributes: tenant?.attributes,
    compiled,
    targetingKey,
    tenantKey,
    tenant,
    now: typeof now === "number" && Number.isFinite(now) ? now : Number.NaN,
    trace: null,
    isTracing,
    flag: undefined as unknown as CompiledFlag,
    chain: null,
    fault: null,
    segmentChain: null,
  };
}

/** A string key; `undefined` when absent or `null`; `null` when present with another type. */
function keyOf(context: object, name: string): string | undefined | null {
  const value = readOwn(context, name);
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : null;
}

/** The moment of evaluation: the injected one, else the clock, read once per session. */
export function nowOf(session: Session): number {
  if (Number.isNaN(session.now)) session.now = Date.now();
  return session.now;
}
