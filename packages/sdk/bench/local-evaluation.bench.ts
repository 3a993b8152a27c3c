/**
 * The SDK's local mode against unleash-client, both bootstrapped in process with no network:
 * `client.getBoolean(key, false, context)` (the public API, with its default handling and
 * context merge) against `unleash.isEnabled(key, context)` on the evaluator benchmark's flag
 * shapes, in the same run. `pnpm --filter @ensign/sdk bench`; prints a Markdown table.
 */
import { compile, evaluate } from "@ensign/evaluator";
import { Bench } from "tinybench";
import { forbidNetwork, startUnleash } from "../../evaluator/bench/peers";
import { contexts, ensignSnapshot, fiveRulesShape, splitShape, tenantShape, type Shape } from "../../evaluator/bench/shapes";
import { createLocalClient } from "../src/node/local-client";

forbidNetwork();

const BATCH = 1000;
const POOL = 1024;
const time = Number(process.env.BENCH_TIME_MS ?? 1500);
const shapes: Record<string, Shape> = {
  "(a) 50 % split + 1 constraint": splitShape("shape-a"),
  "(b) 5 rules, last matches": fiveRulesShape("shape-b"),
  "(c) tenant override hit": tenantShape("shape-c"),
};
const pool = contexts(POOL);
const snapshot = ensignSnapshot(Object.values(shapes).map((s) => s.ensign));
// Bootstrapped and never started: no download, no stream, the same as Unleash's in-memory repository.
const client = createLocalClient({ url: "http://127.0.0.1:9", serverKey: "ens_srv_bench", bootstrap: snapshot, stream: false, pollIntervalMs: 0 });
const compiled = compile(snapshot);
const unleash = await startUnleash(Object.values(shapes).map((s) => s.unleash));

checkAgreement();

let sink = 0;
const bench = new Bench({ time, warmupTime: 300, throws: true });
for (const [label, shape] of Object.entries(shapes)) {
  const key = shape.unleash.name;
  bench.add(`${label} | @ensign/sdk getBoolean (local)`, () => {
    for (let i = 0; i < BATCH; i++) if (client.getBoolean(key, false, pool.ensign[i & (POOL - 1)])) sink++;
  });
  bench.add(`${label} | @ensign/evaluator evaluate (no SDK, reference)`, () => {
    for (let i = 0; i < BATCH; i++) if (evaluate(compiled, key, pool.ensign[i & (POOL - 1)], { defaultValue: false, expectedType: "boolean" }).value === true) sink++;
  });
  bench.add(`${label} | unleash-client isEnabled`, () => {
    for (let i = 0; i < BATCH; i++) if (unleash.isEnabled(key, pool.unleash[i & (POOL - 1)])) sink++;
  });
}
await bench.run();
report();
unleash.destroy();

/** The SDK must answer exactly as the evaluator does, and like Unleash (the split in proportion). */
function checkAgreement(): void {
  for (const [label, shape] of Object.entries(shapes)) {
    const key = shape.unleash.name;
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < POOL; i++) {
      const a = client.getBoolean(key, false, pool.ensign[i]);
      if (a !== (evaluate(compiled, key, pool.ensign[i], { defaultValue: false }).value === true)) throw new Error(`${label}: SDK and evaluator disagree`);
      const b = unleash.isEnabled(key, pool.unleash[i]);
      ours += Number(a);
      theirs += Number(b);
      if (!label.startsWith("(a)") && a !== b) throw new Error(`${label}: SDK and Unleash disagree for context ${i}`);
    }
    if (Math.abs(ours - theirs) > POOL * 0.08) throw new Error(`${label}: on-rates differ (${ours}, ${theirs} of ${POOL})`);
  }
}

function report(): void {
  const rows = bench.tasks.map((task) => {
    if (task.result.state !== "completed") throw new Error(`${task.name}: ${task.result.state}`);
    const [shape, engine] = task.name.split(" | ") as [string, string];
    const nsPerCall = (task.result.latency.p50 * 1e6) / BATCH;
    return { shape, engine, nsPerCall, perSecond: 1e9 / nsPerCall };
  });
  const lines = ["| shape | call | calls/s (median) | ns/call (median) | SDK ÷ call |", "| --- | --- | ---: | ---: | ---: |"];
  for (const row of rows) {
    const ours = rows.find((r) => r.shape === row.shape && r.engine.startsWith("@ensign/sdk"))!;
    lines.push(`| ${row.shape} | ${row.engine} | ${Math.round(row.perSecond).toLocaleString("en-US")} | ${row.nsPerCall.toFixed(0)} | ${(ours.perSecond / row.perSecond).toFixed(1)}x |`);
  }
  console.log(`\nNode ${process.version}, ${BATCH} calls per sample, ${time} ms per task, medians of the run.\n`);
  console.log(lines.join("\n"));
  console.log(`\n(checksum ${sink % 7})`);
}
