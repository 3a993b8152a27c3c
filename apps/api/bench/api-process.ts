import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("../dist/server.js", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
let isBuilt = false;

/**
 * The compiled server, `apps/api/dist/server.js`, built from the sources now (once per bench
 * process): benches measure what production runs (`node apps/api/dist/server.js`), not the
 * sources under a loader.
 */
export function compiledServer(): string {
  if (!isBuilt) {
    const built = spawnSync("pnpm", ["--filter", "@ensign/api", "build"], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] });
    if (built.status !== 0) throw new Error(`building the API failed (exit ${built.status})`);
    isBuilt = true;
  }
  return SERVER;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The API in a process of its own, compiled as production runs it (`node apps/api/dist/server.js`), with this
 * environment, once it answers `/healthz`; `stop()` ends it with SIGTERM.
 */
export async function startApi(env: Record<string, string>): Promise<{ url: string; pid: number; cpuSeconds(): number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [compiledServer()], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${env.PORT}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} while starting`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 600) throw new Error(`${url} did not come up within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * CPU time a process's threads (the event loop, V8's garbage collector, libuv's pool) have used
 * so far, in seconds, to the nanosecond from each thread's `/proc/<pid>/task/<tid>/schedstat`
 * (Linux); `/proc/<pid>/stat` in clock ticks of 10 ms where the scheduler does not report it.
 */
export function processCpuSeconds(pid: number): number {
  try {
    let nanoseconds = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        nanoseconds += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    if (nanoseconds > 0) return nanoseconds / 1e9;
  } catch {
    // No schedstat here: fall back to the process's ticks.
  }
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name may hold spaces; the fields after it are space-separated.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine's state, printed with every figure: these benches run on shared machines. */
export function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), load average ${one!.toFixed(1)} (1 min) / ${five!.toFixed(1)} (5 min)`;
}

/** The value at percentile `p` (0–100) of ascending `sorted`. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
