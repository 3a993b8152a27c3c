// Fails the build when the first load's JavaScript outgrows its budget or a source map is emitted.
// The first load is index.html's module script, the modules it preloads, and everything they
// import statically; pages loaded by dynamic import() are not part of it. It also reports, for
// information, the app core that the entry imports dynamically at once (router, query cache,
// session), so that what a first page costs in all stays in sight.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Budget for the first load's minified JavaScript, in bytes (kB = 1000 bytes, as Vite reports). */
const BUDGET = Number(process.env.ENSIGN_BUNDLE_BUDGET ?? 250_000);
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const html = readFileSync(join(dist, "index.html"), "utf8");
const entries = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((m) => join(dist, m[1]));

/** The files a set of entries loads: the entries and everything they import statically. */
function closure(starts, already = new Set()) {
  const seen = new Set();
  const queue = [...starts];
  while (queue.length > 0) {
    const file = queue.shift();
    if (seen.has(file) || already.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, "utf8");
    // Static imports only: `import … from "./x.js"` and `import "./x.js"`, not `import("./x.js")`.
    for (const m of code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{},\s]+from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      queue.push(join(dirname(file), m[1]));
    }
  }
  return seen;
}

const seen = closure(entries);
// The entry's own dynamic imports: the app core it asks for as soon as it runs.
const dynamic = [...seen].flatMap((file) => [...readFileSync(file, "utf8").matchAll(/import\(["'`](\.{1,2}\/[^"'`]+\.js)["'`]\)/g)].map((m) => join(dirname(file), m[1])));
const core = closure(dynamic, seen);
const coreBytes = [...core].reduce((sum, file) => sum + statSync(file).size, 0);

const sizes = [...seen].map((file) => ({ file: relative(dist, file), bytes: statSync(file).size })).sort((a, b) => b.bytes - a.bytes);
const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
const maps = files(dist).filter((f) => f.endsWith(".map")).map((f) => relative(dist, f));
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

console.log(`First load: ${kB(total)} of JavaScript in ${sizes.length} file(s) (budget ${kB(BUDGET)})`);
for (const s of sizes) console.log(`  ${kB(s.bytes).padStart(9)}  ${s.file}`);
if (core.size > 0) console.log(`Then the app core it imports at once: ${kB(coreBytes)} in ${core.size} file(s); each page adds its own chunks.`);

let failed = false;
if (entries.length === 0) {
  console.error("index.html has no module script: nothing to measure.");
  failed = true;
}
if (total > BUDGET) {
  console.error(`The first load's JavaScript (${kB(total)}) is over its ${kB(BUDGET)} budget: load the new code with the route that needs it.`);
  failed = true;
}
if (maps.length > 0) {
  console.error(`Source maps must not ship with the build: ${maps.join(", ")}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
