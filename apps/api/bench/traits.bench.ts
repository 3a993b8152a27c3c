/**
 * Identities' traits out of the snapshot. Seeds one workspace (`--flags` flags, one of them
 * targeting the `stage` trait), then `--identities` identities in production with `COPY`, and
 * reports, in one run:
 * - the production snapshot's size and rebuild time (read, build, compile, serialize) with no
 *   identity and with all of them (equal: they are not in it), beside the size and read time of
 *   the identities as the snapshot used to carry them;
 * - evaluation of a cold identity (never read by this replica: PostgreSQL, then Redis for the
 *   next replica) against a warm one and a context without targeting key, p50 and p99;
 * - the replica's RSS growth after reading `--reads` distinct identities, against the
 *   configured in-process cache (`--cache`, IDENTITY_CACHE_BUDGET);
 * - a trait update made through replica A served by replica B (p50, p99).
 *   pnpm bench:traits                         1,000,000 identities
 *   pnpm bench:traits --identities 100000     a smaller run
 */
import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { compile } from "@ensign/evaluator";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { buildSnapshot } from "../src/modules/snapshots/snapshot-builder";
import { snapshotsRepository } from "../src/modules/snapshots/snapshots.repository";
import { freePort, machine, percentile, startApi } from "./api-process";
import { benchApiEnvironment, createBenchDatabase, seedWorkspace } from "./bench-database";

const { values: args } = parseArgs({
  options: {
    identities: { type: "string", default: "1000000" },
    flags: { type: "string", default: "100" },
    cache: { type: "string", default: "64MB" },
    reads: { type: "string", default: "100000" },
    samples: { type: "string", default: "2000" },
    updates: { type: "string", default: "50" },
  },
});
const IDENTITIES = Number(args.identities);
const READS = Math.min(Number(args.reads), IDENTITIES);
const SAMPLES = Math.min(Number(args.samples), Math.floor(IDENTITIES / 4));
const UPDATES = Number(args.updates);
const ROUNDS = 7;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const FLAG = "beta_reports";
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const p = (xs: number[]) => `${percentile(sorted(xs), 50).toFixed(2)} / ${percentile(sorted(xs), 99).toFixed(2)}`;

const bench = await createBenchDatabase();
const replicas: { stop(): Promise<void> }[] = [];
// The client is node:http over kept-alive connections: less client-side work and jitter in each
// round trip than fetch, so the figures say more about the server.
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
try {
  const seeded = await seedWorkspace(bench.db, { flags: Number(args.flags), tenants: 100, overridesPerFlag: 1, identities: 0 });
  const envId = seeded.production.id;
  await bench.db.sql.query(
    `INSERT INTO flags (id, workspace_id, key, name, type, variants, off_variant, on_variant, salt, updated_at)
     VALUES (gen_random_uuid(), $1, $2, 'Beta reports', 'boolean', '[{"key":"on","value":true},{"key":"off","value":false}]', 'off', 'on', 'beta', now())`,
    [seeded.workspaceId, FLAG],
  );
  await bench.db.sql.query(
    `INSERT INTO flag_states (id, workspace_id, flag_id, environment_id, enabled, fallthrough, updated_at)
     SELECT gen_random_uuid(), f.workspace_id, f.id, $2, true, '{"variant":"off"}', now() FROM flags f WHERE f.workspace_id = $1 AND f.key = $3`,
    [seeded.workspaceId, envId, FLAG],
  );
  await bench.db.sql.query(
    `INSERT INTO flag_rules (id, workspace_id, flag_state_id, position, conditions, serve, updated_at)
     SELECT gen_random_uuid(), s.workspace_id, s.id, 0, '[{"attribute":"stage","operator":"equals","values":["onboarded"]}]', '{"variant":"on"}', now()
     FROM flag_states s JOIN flags f ON f.id = s.flag_id WHERE f.key = $1 AND s.environment_id = $2`,
    [FLAG, envId],
  );

  /** Read, build, compile and serialize the production snapshot: what each replica does per change. */
  const rebuild = async () => {
    const times: number[] = [];
    let size = 0;
    for (let round = 0; round < ROUNDS + 2; round++) {
      const started = performance.now();
      const snapshot = buildSnapshot((await snapshotsRepository.load(bench.db.sql, envId))!);
      compile(snapshot);
      const json = JSON.stringify(snapshot);
      if (round >= 2) times.push(performance.now() - started);
      size = json.length;
    }
    return { ms: median(times), size };
  };
  const without = await rebuild();

  const copyStarted = performance.now();
  const client = new pg.Client({ connectionString: bench.url });
  await client.connect();
  try {
    const now = new Date().toISOString();
    function* rows() {
      for (let i = 1; i <= IDENTITIES; i++) {
        const traits = { stage: i % 2 === 0 ? "onboarded" : "signup", emailVerified: i % 3 === 0, actionsCount: i % 50, signupAt: now, email: `user-${i}@example.com` };
        yield `${randomUUID()}\t${seeded.workspaceId}\t${envId}\tuser-${i}\t${JSON.stringify(traits)}\t${now}\n`;
      }
    }
    await pipeline(Readable.from(rows()), client.query(copyFrom("COPY identities (id, workspace_id, environment_id, key, traits, updated_at) FROM STDIN")));
    await client.query("ANALYZE identities");
  } finally {
    await client.end();
  }
  const copySeconds = (performance.now() - copyStarted) / 1000;
  const withIdentities = await rebuild();
  // What the snapshot carried before traits left it: every identity as JSON, read in the same statement.
  const oldStarted = performance.now();
  const [old] = await bench.db.sql.query<{ size: number }>(
    `SELECT length(COALESCE(json_agg(i ORDER BY i.key), '[]')::text) AS size FROM (SELECT key, traits FROM identities WHERE environment_id = $1::uuid) i`,
    [envId],
  );
  const oldMs = performance.now() - oldStarted;
  await bench.db.close();

  const env = { ...benchApiEnvironment({ port: 0, databaseUrl: bench.url, redisUrl: REDIS_URL }), IDENTITY_CACHE_BUDGET: args.cache };
  const metricsA = await freePort();
  const a = await startApi({ ...env, PORT: String(await freePort()), METRICS_PORT: String(metricsA) });
  replicas.push(a);
  const b = await startApi({ ...env, PORT: String(await freePort()), METRICS_PORT: "off" });
  replicas.push(b);
  const rss = async () => Number(/^ensign_process_resident_memory_bytes (\S+)$/m.exec(await (await fetch(`http://127.0.0.1:${metricsA}/metrics`)).text())![1]);
  const evaluate = (url: string, context: object): Promise<{ ms: number; value: boolean }> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ context });
      const started = performance.now();
      const req = request(
        `${url}/ofrep/v1/evaluate/flags/${FLAG}`,
        { method: "POST", agent, headers: { "x-api-key": seeded.keys.server, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const ms = performance.now() - started;
            if (res.statusCode !== 200) return reject(new Error(`evaluation answered ${res.statusCode}`));
            resolve({ ms, value: (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { value: boolean }).value });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const key = (i: number) => `user-${1 + ((i * 7919) % IDENTITIES)}`;
  // Warm-up of both replicas (compilation of the hot path), with contexts that name no identity.
  for (let i = 0; i < 1_000; i++) {
    await evaluate(a.url, { tenantKey: "tenant-1" });
    await evaluate(b.url, { tenantKey: "tenant-1" });
  }
  const rssStart = await rss();

  // The four kinds of request take turns, one of each per identity, so that whatever else the
  // machine does at a moment falls on all four alike: a context without identity on A; identity i
  // on A, never read before (PostgreSQL, then written to Redis); the same identity on A again
  // (warm); the same identity on B, which has never held it (Redis).
  const anonymous: number[] = [];
  const coldDatabase: number[] = [];
  const warm: number[] = [];
  const coldRedis: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    anonymous.push((await evaluate(a.url, { tenantKey: "tenant-1" })).ms);
    const { ms, value } = await evaluate(a.url, { targetingKey: key(i) });
    if (value !== (Number(key(i).slice(5)) % 2 === 0)) throw new Error(`wrong answer for ${key(i)}`);
    coldDatabase.push(ms);
    warm.push((await evaluate(a.url, { targetingKey: key(i) })).ms);
    coldRedis.push((await evaluate(b.url, { targetingKey: key(i) })).ms);
  }

  // Many distinct identities through replica A, eight at a time: RSS against the cache's budget.
  let next = SAMPLES;
  let peak = await rss();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < READS) {
        await evaluate(a.url, { targetingKey: key(next++) });
        if (next % 5_000 === 0) peak = Math.max(peak, await rss());
      }
    }),
  );
  peak = Math.max(peak, await rss());
  const stats = await (await fetch(`http://127.0.0.1:${metricsA}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(stats)?.[1] ?? 0);

  // A trait update through A, served by B (which holds the identity): from A's answer to B's.
  const propagation: number[] = [];
  const updated = key(1);
  for (let i = 0; i < UPDATES; i++) {
    const stage = i % 2 === 0 ? "signup" : "onboarded";
    await evaluate(b.url, { targetingKey: updated });
    const res = await fetch(`${a.url}/v1/identities/${updated}/traits`, {
      method: "PATCH",
      headers: { "x-api-key": seeded.keys.server, "content-type": "application/json" },
      body: JSON.stringify({ traits: { stage } }),
    });
    if (!res.ok) throw new Error(`trait update answered ${res.status}`);
    const written = performance.now();
    for (;;) {
      if ((await evaluate(b.url, { targetingKey: updated })).value === (stage === "onboarded")) break;
      if (performance.now() - written > 10_000) throw new Error("the update never reached replica B");
    }
    propagation.push(performance.now() - written);
  }

  console.log(`\nIdentity traits out of the snapshot — ${machine()}`);
  console.log(`${IDENTITIES.toLocaleString("en")} identities (seeded with COPY in ${copySeconds.toFixed(1)} s), ${Number(args.flags) + 1} flags in production\n`);
  console.log("| measure | value |");
  console.log("| --- | ---: |");
  console.log(`| snapshot, no identity: size / rebuild median | ${mb(without.size)} / ${without.ms.toFixed(1)} ms |`);
  console.log(`| snapshot, ${IDENTITIES.toLocaleString("en")} identities: size / rebuild median | ${mb(withIdentities.size)} / ${withIdentities.ms.toFixed(1)} ms |`);
  console.log(`| what the snapshot used to add: identities' JSON / its read alone | ${mb(old!.size)} / ${oldMs.toFixed(0)} ms |`);
  console.log(`| evaluation p50 / p99, no targeting key (HTTP round trip) | ${p(anonymous)} ms |`);
  console.log(`| evaluation p50 / p99, cold identity, read from PostgreSQL | ${p(coldDatabase)} ms |`);
  console.log(`| evaluation p50 / p99, cold identity on another replica, read from Redis | ${p(coldRedis)} ms |`);
  console.log(`| evaluation p50 / p99, warm identity | ${p(warm)} ms |`);
  console.log(`| RSS growth after ${READS.toLocaleString("en")} distinct identities (peak) | ${mb(peak - rssStart)} (IDENTITY_CACHE_BUDGET ${args.cache}) |`);
  console.log(`| identities held / estimated bytes / evictions | ${metric("ensign_identity_cache_entries")} / ${mb(metric("ensign_identity_cache_resident_bytes"))} / ${metric("ensign_identity_cache_evictions_total")} |`);
  console.log(`| trait update through A served by B, p50 / p99 (${UPDATES} updates) | ${p(propagation)} ms |`);
} finally {
  agent.destroy();
  for (const replica of replicas) await replica.stop();
  await bench.drop();
}
