import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SERVER = path.join(REPO_ROOT, "apps/api/src/server.ts");
export const LOG_DIR = path.join(REPO_ROOT, "apps/api/test/faults/logs");

export interface ReplicaOptions {
  name: string;
  port: number;
  env: Record<string, string>;
}

/**
 * One API replica as its own process (`node --import tsx apps/api/src/server.ts`), listening on a
 * fixed port so a restart comes back where the load balancer expects it. Its output goes to
 * `logs/<name>.log` (new for each run of the suite, appended to across restarts).
 */
export function createReplica(options: ReplicaOptions) {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(path.join(LOG_DIR, `${options.name}.log`), { flags: "w" });
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const url = `http://127.0.0.1:${options.port}`;

  async function start(): Promise<number> {
    const started = performance.now();
    log.write(`\n=== start ${new Date().toISOString()}\n`);
    const process_ = spawn(process.execPath, ["--import", "tsx", SERVER], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, PORT: String(options.port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = process_;
    process_.stdout!.pipe(log, { end: false });
    process_.stderr!.pipe(log, { end: false });
    exited = new Promise((resolve) => process_.once("exit", (code, signal) => {
      log.write(`=== exit code=${code} signal=${signal} ${new Date().toISOString()}\n`);
      resolve();
    }));
    for (;;) {
      if (process_.exitCode !== null || process_.signalCode !== null) throw new Error(`replica ${options.name} exited during start; see ${LOG_DIR}/${options.name}.log`);
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 60_000) throw new Error(`replica ${options.name} did not start within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function stop(signal: "SIGTERM" | "SIGKILL"): Promise<number> {
    const started = performance.now();
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await exited;
    }
    return performance.now() - started;
  }

  return {
    name: options.name,
    url,
    start,
    stop,
    /** The replica's readiness as it reports it, or undefined when it does not answer. */
    async readiness(): Promise<{ status: string; checks: Record<string, string> } | undefined> {
      try {
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3_000) });
        return (await res.json()) as { status: string; checks: Record<string, string> };
      } catch {
        return undefined;
      }
    },
    close: async () => {
      await stop("SIGKILL");
      log.end();
    },
  };
}

export type Replica = ReturnType<typeof createReplica>;
