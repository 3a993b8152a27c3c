import { REASONS } from "@ensign/contracts/evaluation";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { talliedHistogram, type TallySeries } from "./tallied-histogram";

const KNOWN_REASONS: readonly string[] = REASONS;

/** How an evaluation was asked for. */
export type EvaluationKind = "single" | "bulk" | "portal";

/** What the metrics read from the running replica when Prometheus scrapes. */
export interface MetricsSources {
  /** Each environment this replica holds: its snapshot version and when the replica made it. */
  snapshots(): Iterable<{ workspace: string; environment: string; version: number; madeAt: number }>;
  /** Whether PostgreSQL and the cache answer now. */
  dependencies(): Promise<{ database: boolean; cache: boolean }>;
  /** Open Server-Sent Events streams. */
  openStreams(): number;
  /** The snapshot cache: hits, misses and evictions since start, bytes held and allowed. */
  snapshotCache?(): { hits: number; misses: number; evictions: number; residentBytes: number; budgetBytes: number };
  /** The identity traits cache: the same, plus the identities held. */
  identityCache?(): { hits: number; misses: number; evictions: number; residentBytes: number; maxBytes: number; entries: number; redisHits: number; databaseReads: number };
}

const SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The replica's Prometheus metrics (`prom-client`). Evaluations are tallied in plain maps on the
 * hot path and handed to their counter when Prometheus scrapes, so counting costs a map update,
 * not a label lookup per flag. Everything else is read at scrape time from `sources`.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "ensign_" });

  let sources: MetricsSources | undefined;
  /** `workspace \0 environment \0 reason \0 kind` → evaluations since start. */
  const evaluationTallies = new Map<string, number>();
  const configTallies = new Map<string, number>();

  new Counter({
    name: "ensign_evaluations_total",
    help: "Flag evaluations answered, by workspace, environment, reason and kind (single, bulk, portal).",
    labelNames: ["workspace", "environment", "reason", "kind"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, count] of evaluationTallies) {
        const [workspace, environment, reason, kind] = key.split("\0") as [string, string, string, string];
        this.inc({ workspace, environment, reason, kind }, count);
      }
    },
  });
  new Counter({
    name: "ensign_sdk_config_downloads_total",
    help: "Environment configurations downloaded by server SDKs for local evaluation (GET /v1/config), by workspace and environment.",
    labelNames: ["workspace", "environment"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, count] of configTallies) {
        const [workspace, environment] = key.split("\0") as [string, string];
        this.inc({ workspace, environment }, count);
      }
    },
  });
  const evaluationSeconds = talliedHistogram(registry, {
    name: "ensign_evaluation_duration_seconds",
    help: "Time to evaluate one request's flags in process (single, bulk or portal), without HTTP.",
    buckets: SECONDS_BUCKETS,
  });
  const evaluationSecondsOf: Record<EvaluationKind, TallySeries> = {
    single: evaluationSeconds.series({ kind: "single" }),
    bulk: evaluationSeconds.series({ kind: "bulk" }),
    portal: evaluationSeconds.series({ kind: "portal" }),
  };
  /** `method route status` → its request count and its duration series: plain numbers on the hot path. */
  const httpSeries = new Map<string, { labels: { method: string; route: string; status: string }; count: number; seconds: TallySeries }>();
  new Counter({
    name: "ensign_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const series of httpSeries.values()) this.inc(series.labels, series.count);
    },
  });
  const httpSeconds = talliedHistogram(registry, {
    name: "ensign_http_request_duration_seconds",
    help: "Time from a request's arrival to its answer, by method and route pattern.",
    buckets: SECONDS_BUCKETS,
  });
  new Gauge({
    name: "ensign_snapshot_version",
    help: "The snapshot version of each environment this replica serves.",
    labelNames: ["workspace", "environment"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of sources?.snapshots() ?? []) this.set({ workspace: s.workspace, environment: s.environment }, s.version);
    },
  });
  new Gauge({
    name: "ensign_snapshot_age_seconds",
    help: "Seconds since this replica made the snapshot it serves for each environment.",
    labelNames: ["workspace", "environment"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const now = Date.now();
      for (const s of sources?.snapshots() ?? []) this.set({ workspace: s.workspace, environment: s.environment }, (now - s.madeAt) / 1000);
    },
  });
  const rebuildSeconds = new Histogram({
    name: "ensign_snapshot_rebuild_duration_seconds",
    help: "Time to rebuild an environment's snapshot from PostgreSQL (read, build, compile).",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const snapshotUpdates = new Counter({
    name: "ensign_snapshot_updates_total",
    help: "Snapshots this replica swapped in, by where they came from: delta (a change's own flags and tenants), redis (another replica's copy) or database (rebuilt from PostgreSQL).",
    labelNames: ["source"] as const,
    registers: [registry],
  });
  for (const source of ["delta", "redis", "database"]) snapshotUpdates.inc({ source }, 0);
  const deltaMismatches = new Counter({
    name: "ensign_snapshot_delta_mismatches_total",
    help: "Snapshots made from deltas that a rebuild from PostgreSQL found different (and replaced).",
    registers: [registry],
  });
  new Gauge({
    name: "ensign_dependency_up",
    help: "Whether a dependency answers now: 1 up, 0 down (database = PostgreSQL, cache = Redis or the in-process cache).",
    labelNames: ["dependency"] as const,
    registers: [registry],
    async collect() {
      if (!sources) return;
      const up = await sources.dependencies();
      this.set({ dependency: "database" }, up.database ? 1 : 0);
      this.set({ dependency: "cache" }, up.cache ? 1 : 0);
    },
  });
  new Gauge({
    name: "ensign_sse_streams_open",
    help: "Server-Sent Events streams open on this replica (SDK and admin).",
    registers: [registry],
    collect() {
      this.set(sources?.openStreams() ?? 0);
    },
  });
  const cacheCounter = (name: string, help: string, read: () => number | undefined) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read() ?? 0);
      },
    });
  const cacheGauge = (name: string, help: string, read: () => number | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        this.set(value === undefined || !Number.isFinite(value) ? 0 : value);
      },
    });
  cacheCounter("ensign_snapshot_cache_hits_total", "Requests whose environment's snapshot was in memory.", () => sources?.snapshotCache?.().hits);
  cacheCounter("ensign_snapshot_cache_misses_total", "Requests that had to load their environment's snapshot (first use or after eviction).", () => sources?.snapshotCache?.().misses);
  cacheCounter("ensign_snapshot_cache_evictions_total", "Snapshots let go to stay within SNAPSHOT_MEMORY_BUDGET.", () => sources?.snapshotCache?.().evictions);
  cacheGauge("ensign_snapshot_cache_resident_bytes", "Estimated bytes of the snapshots this replica holds.", () => sources?.snapshotCache?.().residentBytes);
  cacheGauge("ensign_snapshot_cache_budget_bytes", "SNAPSHOT_MEMORY_BUDGET in bytes (0 when unlimited).", () => sources?.snapshotCache?.().budgetBytes);
  cacheCounter("ensign_identity_cache_hits_total", "Identity traits found in this replica's memory.", () => sources?.identityCache?.().hits);
  cacheCounter("ensign_identity_cache_misses_total", "Identity traits read from Redis or PostgreSQL.", () => sources?.identityCache?.().misses);
  cacheCounter("ensign_identity_cache_redis_hits_total", "Identity traits misses answered by the shared Redis copy.", () => sources?.identityCache?.().redisHits);
  cacheCounter("ensign_identity_cache_database_reads_total", "Identity traits misses read from PostgreSQL.", () => sources?.identityCache?.().databaseReads);
  cacheCounter("ensign_identity_cache_evictions_total", "Identities let go to stay within IDENTITY_CACHE_ENTRIES and IDENTITY_CACHE_BUDGET.", () => sources?.identityCache?.().evictions);
  cacheGauge("ensign_identity_cache_resident_bytes", "Estimated bytes of the identity traits this replica holds.", () => sources?.identityCache?.().residentBytes);
  cacheGauge("ensign_identity_cache_entries", "Identities whose traits this replica holds.", () => sources?.identityCache?.().entries);
  const scheduleRuns = new Counter({
    name: "ensign_schedule_runs_total",
    help: "Scheduled changes and override expiries this replica applied, by outcome.",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });

  return {
    registry,
    /** Connects the scrape-time readings; until then they read as empty. */
    observe(readings: MetricsSources): void {
      sources = readings;
    },
    /** One request's evaluations, each with its reason. */
    evaluated(workspace: string, environment: string, kind: EvaluationKind, results: readonly { reason: string }[], seconds: number): void {
      // Few distinct reasons per request: tally them locally (the known ones by position, no
      // map per result), then touch the shared map once each.
      const known = REASONS.map(() => 0);
      let others: Map<string, number> | undefined;
      for (let i = 0; i < results.length; i++) {
        const reason = results[i]!.reason;
        const at = KNOWN_REASONS.indexOf(reason);
        if (at !== -1) known[at]! += 1;
        else (others ??= new Map()).set(reason, (others.get(reason) ?? 0) + 1);
      }
      const tally = (reason: string, count: number) => {
        const key = `${workspace}\0${environment}\0${reason}\0${kind}`;
        evaluationTallies.set(key, (evaluationTallies.get(key) ?? 0) + count);
      };
      for (let at = 0; at < REASONS.length; at++) if (known[at]! > 0) tally(REASONS[at]!, known[at]!);
      if (others) for (const [reason, count] of others) tally(reason, count);
      evaluationSeconds.observe(evaluationSecondsOf[kind], seconds);
    },
    configDownloaded(workspace: string, environment: string): void {
      const key = `${workspace}\0${environment}`;
      configTallies.set(key, (configTallies.get(key) ?? 0) + 1);
    },
    httpRequest(method: string, route: string, status: number, seconds: number): void {
      // Each method, route pattern and status is looked up once, then counted in plain numbers.
      const key = `${method} ${route} ${status}`;
      let series = httpSeries.get(key);
      if (series === undefined) {
        // Routes are patterns and statuses few (unmatched paths share one), so the map stays small.
        series = { labels: { method, route, status: String(status) }, count: 0, seconds: httpSeconds.series({ method, route }) };
        httpSeries.set(key, series);
      }
      series.count += 1;
      httpSeconds.observe(series.seconds, seconds);
    },
    snapshotRebuilt(seconds: number): void {
      rebuildSeconds.observe(seconds);
    },
    snapshotUpdated(source: "delta" | "redis" | "database"): void {
      snapshotUpdates.inc({ source });
    },
    snapshotDeltaMismatched(): void {
      deltaMismatches.inc();
    },
    scheduleRan(outcome: "applied" | "failed" | "expired", count = 1): void {
      if (count > 0) scheduleRuns.inc({ outcome }, count);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
