import type { EvaluationContext, EvaluationResult } from "@ensign/contracts/evaluation";
import { IMPACT_LIST_LIMIT, type ImpactBody, type ImpactResponse, type LiveEvaluationResponse } from "@ensign/contracts/live-evaluation";
import { evaluate, evaluateAll, flagKeys, impact, layerContexts, tenantContexts, type CompiledSnapshot } from "@ensign/evaluator";
import { performance } from "node:perf_hooks";
import type { Reader } from "../../infra/db/scoped";
import { AppError, notFound } from "../../infra/errors";
import type { Metrics } from "../../infra/metrics";
import type { BulkLayout, StatsRecorder } from "../analytics/stats-recorder";
import type { Traits, TraitsCache } from "../identities/traits-cache";
import type { SnapshotEntry, SnapshotStore } from "../snapshots/snapshot-store";
import type { VerifiedKey } from "../api-access/api-key-verifier";
import { contextIssue } from "./context-limits";
import type { ContextTokenVerifier } from "./context-tokens";
import type { EvaluationRepository } from "./evaluation.repository";

export type Entry = SnapshotEntry<CompiledSnapshot>;

const TOKEN_REQUIRED =
  "This environment requires a signed context token: send the token your backend signs in X-Ensign-Context (or ?contextToken=).";

const targetingKeyOf = (context: EvaluationContext) => (typeof context.targetingKey === "string" ? context.targetingKey : undefined);
/**
 * Whether this key may only evaluate with a signed context token: a client key (public, in a
 * browser) in an environment that requires tokens. Server keys belong to trusted backends.
 */
const needsToken = (key: VerifiedKey, entry: Entry) => entry.meta.requireContextToken && key.kind === "client";
/**
 * The keys of the snapshot's flags whose evaluations are not counted (`trackAnalytics: false`),
 * found once per snapshot: a new snapshot is a new object, so a changed option takes effect with it.
 */
const untrackedBySnapshot = new WeakMap<object, ReadonlySet<string>>();
function untrackedOf(entry: Entry): ReadonlySet<string> {
  let keys = untrackedBySnapshot.get(entry.stored);
  if (!keys) {
    keys = new Set(entry.stored.flags.filter((flag) => flag.trackAnalytics === false).map((flag) => flag.key));
    untrackedBySnapshot.set(entry.stored, keys);
  }
  return keys;
}

/**
 * Which flag each result of a bulk evaluation is counted for (the compiled snapshot's active
 * flags, in order; `null` for those with Track analytics off): made once per snapshot version.
 */
const layoutByCompiled = new WeakMap<CompiledSnapshot, BulkLayout>();
function bulkLayoutOf(entry: Entry): BulkLayout {
  let layout = layoutByCompiled.get(entry.compiled);
  if (!layout) {
    const untracked = untrackedOf(entry);
    const keys = flagKeys(entry.compiled).map((key) => (untracked.has(key) ? null : key));
    layout = { keys, counted: keys.filter((key) => key !== null).length };
    layoutByCompiled.set(entry.compiled, layout);
  }
  return layout;
}

const micros = (since: number) => Math.round((performance.now() - since) * 1000 * 10) / 10;

export interface EvaluationServiceDeps {
  reading: Reader;
  /** The admin's environments by key; API-key callers never reach PostgreSQL through it. */
  repo: EvaluationRepository;
  store: SnapshotStore<CompiledSnapshot>;
  recorder: StatsRecorder;
  /** Prometheus counters of evaluations by environment, reason and kind. */
  metrics?: Metrics;
  tokens: ContextTokenVerifier;
  /** Identities' stored traits, merged under each context with a targeting key. */
  traits: TraitsCache;
  log?: { warn(details: object, message: string): void };
}

/** The stored traits under the request's own attributes: a request key (even `null`) hides the trait of the same name. */
const merged = (traits: Traits | null, context: EvaluationContext): EvaluationContext =>
  traits === null ? context : ({ ...traits, ...context } as EvaluationContext);

/**
 * Evaluation for API-key callers (OFREP, portal) and for the admin's live tester and blast
 * radius. Callers evaluate against the environment's in-memory snapshot: `entryFor` answers
 * synchronously once the environment is loaded. Every API-key evaluation is counted for the
 * flag statistics, in memory.
 */
export function createEvaluationService({ reading, repo, store, recorder, tokens, metrics, traits, log }: EvaluationServiceDeps) {
  /**
   * The context with its identity's stored traits merged in: synchronous when the environment
   * has no identities, the context no targeting key, or the traits are held in memory; else a
   * promise (Redis, then PostgreSQL). When neither can answer, the request's own context is used.
   */
  function withTraits(entry: Entry, context: EvaluationContext): EvaluationContext | Promise<EvaluationContext> {
    const key = context.targetingKey;
    if (typeof key !== "string" || !entry.meta.hasIdentities) return context;
    const held = traits.peek(entry.meta.environmentId, key);
    if (held !== undefined) return merged(held, context);
    return traits.get(entry.meta.environmentId, key).then(
      (found) => merged(found, context),
      (error: unknown) => {
        log?.warn({ environmentId: entry.meta.environmentId, err: (error as Error).message }, "identity traits unavailable; evaluating the request's context alone");
        return context;
      },
    );
  }

  function evaluateOne(entry: Entry, flagKey: string, context: EvaluationContext): EvaluationResult {
    const started = performance.now();
    const result = evaluate(entry.compiled, flagKey, context);
    if (result.errorCode !== "FLAG_NOT_FOUND" && !untrackedOf(entry).has(flagKey)) {
      recorder.record(entry.meta.workspaceId, entry.meta.environmentId, result, targetingKeyOf(context), micros(started));
    }
    metrics?.evaluated(entry.meta.workspaceSlug, entry.meta.environmentKey, "single", [result], (performance.now() - started) / 1000);
    return result;
  }

  function evaluateEvery(entry: Entry, context: EvaluationContext, kind: "bulk" | "portal"): EvaluationResult[] {
    const started = performance.now();
    const results = evaluateAll(entry.compiled, context);
    recorder.recordBulk(entry.meta.workspaceId, entry.meta.environmentId, bulkLayoutOf(entry), results, targetingKeyOf(context), micros(started));
    metrics?.evaluated(entry.meta.workspaceSlug, entry.meta.environmentKey, kind, results, (performance.now() - started) / 1000);
    return results;
  }

  /** A key whose environment is gone died with it (replicas hear so at once, or when they recheck their keys). */
  async function load(key: VerifiedKey): Promise<Entry> {
    try {
      return await store.get(key.environmentId);
    } catch (error) {
      if (error instanceof AppError && error.code === "NOT_FOUND") throw new AppError("UNAUTHENTICATED", "The API key is not valid or has been revoked.");
      throw error;
    }
  }

  async function environmentOf(workspaceId: string, environmentKey: string): Promise<Entry> {
    const environmentId = await reading(workspaceId, (tx) => repo.environmentId(tx, workspaceId, environmentKey));
    if (!environmentId) throw notFound(`Environment '${environmentKey}'`);
    return store.entry(workspaceId, environmentId);
  }

  return {
    /** The key's environment's entry when it is in memory (the steady state), else undefined. */
    loaded(key: VerifiedKey): Entry | undefined {
      return store.peek(key.environmentId);
    },

    /** The snapshot entry of the key's environment: synchronous when loaded (the steady state). */
    entryFor(key: VerifiedKey): Entry | Promise<Entry> {
      return store.peek(key.environmentId) ?? load(key);
    },

    needsToken,

    /**
     * The context a signed token carries (its claims replace anything else the caller sent);
     * undefined without a token, where the caller may choose the context; 401 where it may not.
     */
    async contextFromToken(key: VerifiedKey, entry: Entry, token: string | undefined): Promise<EvaluationContext | undefined> {
      if (token) return tokens.verify(token, entry.meta);
      if (needsToken(key, entry)) throw new AppError("UNAUTHENTICATED", TOKEN_REQUIRED);
      return undefined;
    },

    /**
     * The context of a token this replica verified before (for this environment and secret, not
     * expired): the steady state of a portal that sends the same token on every request.
     */
    rememberedToken(token: string, entry: Entry): EvaluationContext | undefined {
      return tokens.recall(token, entry.meta);
    },

    /** Why the context cannot be used, or undefined. */
    contextIssue,

    /**
     * One flag for the context, with its identity's stored traits: synchronous unless the
     * identity's traits have to be read first (a cold identity).
     */
    one(entry: Entry, flagKey: string, context: EvaluationContext): EvaluationResult | Promise<EvaluationResult> {
      const full = withTraits(entry, context);
      return full instanceof Promise ? full.then((ready) => evaluateOne(entry, flagKey, ready)) : evaluateOne(entry, flagKey, full);
    },

    /** Every flag for the context: `kind` says which endpoint asked (OFREP bulk or the portal's). Synchronous as `one` is. */
    all(entry: Entry, context: EvaluationContext, kind: "bulk" | "portal" = "bulk"): EvaluationResult[] | Promise<EvaluationResult[]> {
      const full = withTraits(entry, context);
      return full instanceof Promise ? full.then((ready) => evaluateEvery(entry, ready, kind)) : evaluateEvery(entry, full, kind);
    },

    /** The context with its identity's stored traits merged in (synchronous when they are in memory). */
    withTraits,

    /** A server SDK downloaded the environment's configuration to evaluate locally. */
    configDownloaded(entry: Entry): void {
      metrics?.configDownloaded(entry.meta.workspaceSlug, entry.meta.environmentKey);
    },

    /** The workspace's environments and their snapshot versions, for the admin's live stream. */
    async environments(workspaceId: string): Promise<{ id: string; key: string; version: number }[]> {
      const rows = await reading(workspaceId, (tx) => repo.environments(tx, workspaceId));
      return rows.map((row) => ({ id: row.id, key: row.key, version: row.snapshotVersion }));
    },

    /** The admin's tester: one flag or all, with traces and server-side latency; not counted in the statistics. */
    async live(workspaceId: string, environmentKey: string, flag: string | undefined, context: EvaluationContext): Promise<LiveEvaluationResponse> {
      const entry = await environmentOf(workspaceId, environmentKey);
      const issue = contextIssue(context);
      if (issue) throw new AppError("VALIDATION_FAILED", `The context is not valid: ${issue}.`, { details: { issues: [{ path: "body.context", message: issue }] } });
      const keys = flag === undefined ? flagKeys(entry.compiled) : [flag];
      const full = await withTraits(entry, context);
      const started = performance.now();
      const results = keys.map((key) => {
        const at = performance.now();
        const result = evaluate(entry.compiled, key, full, { trace: true });
        return { ...result, latencyMicros: micros(at) };
      });
      return { environment: entry.meta.environmentKey, version: entry.version, latencyMicros: micros(started), results };
    },

    /** Which of the workspace's tenants a proposed state change would turn on, off, or change. */
    async impact(workspaceId: string, environmentKey: string, body: ImpactBody): Promise<ImpactResponse> {
      const entry = await environmentOf(workspaceId, environmentKey);
      const current = entry.stored.flags.find((flag) => flag.key === body.flag);
      if (!current || current.archived) throw notFound(`Flag '${body.flag}'`);
      const { rules, ...patch } = body.state;
      const proposedRules = rules?.map((rule, i) => ({ ...rule, id: rule.id ?? `proposed-${i + 1}` })) ?? current.state.rules;
      const proposed = { ...current, state: { ...current.state, ...patch, rules: proposedRules } };
      const contexts = [...tenantContexts(entry.compiled), ...layerContexts(entry.compiled)];
      const report = impact(entry.compiled, proposed, contexts);
      const changes = report.changes.slice(0, IMPACT_LIST_LIMIT).map((change) => {
        const layer = layerOf(entry.compiled, change.context as Record<string, unknown>);
        return { tenantKey: (change.context as { tenantKey: string }).tenantKey, ...(layer ? { layer } : {}), before: change.before, after: change.after };
      });
      return {
        flag: body.flag,
        environment: entry.meta.environmentKey,
        version: entry.version,
        total: report.total,
        turnedOn: report.turnedOn,
        turnedOff: report.turnedOff,
        changed: report.changed,
        changes,
        isTruncated: report.changes.length > changes.length,
      };
    },
  };
}

/** Which layer value a blast-radius context carries (as `layerContexts` wrote it), if any. */
function layerOf(compiled: CompiledSnapshot, context: Record<string, unknown>): { key: string; value: string } | undefined {
  for (const layer of compiled.layers) {
    let value: unknown = context;
    for (const part of layer.attribute.path ?? [layer.attribute.name]) value = value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
    if (typeof value === "string") return { key: layer.key, value };
  }
  return undefined;
}

export type EvaluationService = ReturnType<typeof createEvaluationService>;
