/**
 * The evaluation load of the fault suite, run as its own process: it stands in for a fleet of
 * SDKs behind a load balancer. Requests go round-robin to the replicas over kept-alive
 * connections at a steady rate, alternating single-flag OFREP evaluations and `GET /v1/flags`.
 *
 * Like a load balancer, it checks each replica's readiness every 200 ms and sends no new work to
 * one that answers 503 (draining before it stops), and it retries a request once on the other
 * replica when the connection to the first was refused or reset before any answer (that
 * replica's process is gone), keeping away from that replica for a moment. Every HTTP answer
 * counts as it is: anything but a 200 with a non-error evaluation is a failed request. A request
 * with no answer within the timeout is failed too.
 *
 * Configuration comes as JSON in LOAD_CONFIG. Commands arrive as JSON lines on stdin
 * (`{"cmd":"report"}`, `{"cmd":"reset"}`, `{"cmd":"stop"}`); each answers one JSON line on stdout.
 */
import { Agent, request as httpRequest } from "node:http";
import { createInterface } from "node:readline";
import type { LoadStats } from "./load";

interface LoadConfig {
  targets: string[];
  apiKey: string;
  flagKey: string;
  /** Requests per second, all replicas together. */
  rate: number;
  maxInFlight: number;
  timeoutMs: number;
}

const config = JSON.parse(process.env.LOAD_CONFIG ?? "{}") as LoadConfig;
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const HOLD_OFF_MS = 250;

/** What the client reports; `inFlight` is added when it reports. */
type Stats = Omit<LoadStats, "inFlight">;

const fresh = (): Stats => ({ answered: 0, failed: 0, failovers: {}, failoverReasons: {}, answeredBy: {}, skipped: 0, maxLatencyMs: 0, failures: [] });
let stats = fresh();
let inFlight = 0;
let sequence = 0;
const downUntil = new Map<string, number>();
/** Replicas whose last readiness check answered 503. */
const unready = new Set<string>();

const READINESS_EVERY_MS = 200;
const readinessAgent = new Agent({ keepAlive: false });
const readinessTimer = setInterval(() => {
  for (const target of config.targets) {
    const req = httpRequest(new URL("/readyz", target), { agent: readinessAgent, timeout: 1_000 }, (res) => {
      res.resume();
      if (res.statusCode === 503) unready.add(target);
      else unready.delete(target);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => undefined);
    req.end();
  }
}, READINESS_EVERY_MS);

type Outcome = { kind: "answer"; status: number; body: string } | { kind: "dropped"; detail: string } | { kind: "timeout" };

function send(target: string, path: string, method: "GET" | "POST", body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const url = new URL(path, target);
    const req = httpRequest(
      url,
      {
        method,
        agent,
        headers: { "x-api-key": config.apiKey, ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}) },
        timeout: config.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ kind: "answer", status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (error) => resolve({ kind: "dropped", detail: error.message }));
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ kind: "timeout" });
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "dropped", detail: error.code ?? error.message }));
    req.end(body);
  });
}

/** Why an answer is not a good evaluation, or undefined when it is one. */
function problemWith(kind: "ofrep" | "portal", outcome: Extract<Outcome, { kind: "answer" }>): string | undefined {
  if (outcome.status !== 200) return `HTTP ${outcome.status} ${outcome.body.slice(0, 200)}`;
  try {
    const parsed = JSON.parse(outcome.body) as { value?: unknown; reason?: string; flags?: Record<string, { reason: string }> };
    if (kind === "ofrep") return typeof parsed.value === "boolean" && parsed.reason !== "ERROR" ? undefined : `bad evaluation ${outcome.body.slice(0, 200)}`;
    const flag = parsed.flags?.[config.flagKey];
    return flag && flag.reason !== "ERROR" ? undefined : `bad flags ${outcome.body.slice(0, 200)}`;
  } catch {
    return `not JSON: ${outcome.body.slice(0, 200)}`;
  }
}

function pickTargets(n: number): string[] {
  const now = Date.now();
  const ordered = config.targets.map((_, i) => config.targets[(n + i) % config.targets.length]!);
  const isLive = (t: string) => (downUntil.get(t) ?? 0) <= now && !unready.has(t);
  const live = ordered.filter(isLive);
  const held = ordered.filter((t) => !isLive(t));
  return [...live, ...held];
}

function fail(target: string, detail: string) {
  stats.failed += 1;
  if (stats.failures.length < 20) stats.failures.push({ at: Date.now(), target, detail });
}

async function one(): Promise<void> {
  const n = sequence++;
  const user = `user-${n % 5_000}`;
  const tenant = `tenant-${n % 50}`;
  const kind = n % 2 === 0 ? "ofrep" : "portal";
  const path =
    kind === "ofrep" ? `/ofrep/v1/evaluate/flags/${config.flagKey}` : `/v1/flags?targetingKey=${user}&tenantKey=${tenant}`;
  const body = kind === "ofrep" ? JSON.stringify({ context: { targetingKey: user, tenantKey: tenant } }) : undefined;
  const started = performance.now();
  const targets = pickTargets(n);
  for (const [attempt, target] of targets.entries()) {
    const outcome = await send(target, path, kind === "ofrep" ? "POST" : "GET", body);
    if (outcome.kind === "dropped") {
      downUntil.set(target, Date.now() + HOLD_OFF_MS);
      if (attempt < targets.length - 1) {
        stats.failovers[target] = (stats.failovers[target] ?? 0) + 1;
        stats.failoverReasons[outcome.detail] = (stats.failoverReasons[outcome.detail] ?? 0) + 1;
        continue;
      }
      return fail(target, `connection: ${outcome.detail}`);
    }
    if (outcome.kind === "timeout") return fail(target, `no answer within ${config.timeoutMs} ms`);
    const problem = problemWith(kind, outcome);
    if (problem) return fail(target, problem);
    stats.answered += 1;
    stats.answeredBy[target] = (stats.answeredBy[target] ?? 0) + 1;
    stats.maxLatencyMs = Math.max(stats.maxLatencyMs, performance.now() - started);
    return;
  }
}

const TICK_MS = 10;
let owed = 0;
const ticker = setInterval(() => {
  owed += (config.rate * TICK_MS) / 1_000;
  while (owed >= 1) {
    owed -= 1;
    if (inFlight >= config.maxInFlight) {
      stats.skipped += 1;
      continue;
    }
    inFlight += 1;
    void one().finally(() => (inFlight -= 1));
  }
}, TICK_MS);

const reply = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on("line", (line) => {
  const { cmd } = JSON.parse(line) as { cmd: "report" | "reset" | "stop" };
  if (cmd === "report") reply({ ...stats, inFlight });
  if (cmd === "reset") {
    stats = fresh();
    reply({ ok: true });
  }
  if (cmd === "stop") {
    clearInterval(ticker);
    clearInterval(readinessTimer);
    reply({ ...stats, inFlight });
    agent.destroy();
    process.exit(0);
  }
});
reply({ ready: true });
