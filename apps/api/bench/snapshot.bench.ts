/**
 * Snapshot rebuild: 1,000 flags × 1,000 tenants × 3 environments in a fresh database; times
 * the read from PostgreSQL (one statement), building the stored snapshot, compiling it, and
 * serializing it for Redis — what a replica does when it hears of a change.
 *   pnpm bench:snapshot
 */
import { compile } from "@ensign/evaluator";
import { performance } from "node:perf_hooks";
import { buildSnapshot } from "../src/modules/snapshots/snapshot-builder";
import { snapshotsRepository } from "../src/modules/snapshots/snapshots.repository";
import { createBenchDatabase, seedWorkspace } from "./bench-database";

const ROUNDS = 25;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;

const bench = await createBenchDatabase();
try {
  const seeded = await seedWorkspace(bench.db, { flags: 1_000, tenants: 1_000, overridesPerFlag: 5, identities: 1_000 });
  const envId = seeded.production.id;
  const phases = { read: [] as number[], build: [] as number[], compile: [] as number[], serialize: [] as number[], total: [] as number[] };
  let size = 0;
  let counts = "";
  for (let round = 0; round < ROUNDS + 3; round++) {
    const t0 = performance.now();
    const rows = await snapshotsRepository.load(bench.db.sql, envId);
    const t1 = performance.now();
    const snapshot = buildSnapshot(rows!);
    const t2 = performance.now();
    compile(snapshot);
    const t3 = performance.now();
    const json = JSON.stringify(snapshot);
    const t4 = performance.now();
    if (round < 3) continue; // warm-up
    phases.read.push(t1 - t0);
    phases.build.push(t2 - t1);
    phases.compile.push(t3 - t2);
    phases.serialize.push(t4 - t3);
    phases.total.push(t4 - t0);
    size = json.length;
    const overrides = snapshot.flags.reduce((n, f) => n + f.state.tenantOverrides.length, 0);
    counts = `${snapshot.flags.length} flags, ${snapshot.tenants.length} tenants, ${overrides} tenant overrides, ${snapshot.identities.length} identities, ${snapshot.segments.length} segments`;
  }
  console.log(`\nSnapshot rebuild (${counts}; ${(size / 1024 / 1024).toFixed(2)} MB JSON), ${ROUNDS} rounds, ms:\n`);
  console.log("| phase | median | p95 |");
  console.log("| --- | ---: | ---: |");
  for (const [phase, times] of Object.entries(phases)) console.log(`| ${phase} | ${median(times).toFixed(1)} | ${p95(times).toFixed(1)} |`);
} finally {
  await bench.drop();
}
