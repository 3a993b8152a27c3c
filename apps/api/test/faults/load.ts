import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CLIENT = fileURLToPath(new URL("./load-client.ts", import.meta.url));

export interface LoadStats {
  answered: number;
  failed: number;
  /** Requests a replica's closed connection sent to the other replica, by the replica that dropped them. */
  failovers: Record<string, number>;
  /** Why those connections failed: `ECONNREFUSED` (not listening), `ECONNRESET` (dropped with requests in flight), ... */
  failoverReasons: Record<string, number>;
  answeredBy: Record<string, number>;
  /** Requests not sent because `maxInFlight` were still waiting: a hang shows here. */
  skipped: number;
  maxLatencyMs: number;
  inFlight: number;
  failures: { at: number; target: string; detail: string }[];
}

export interface LoadOptions {
  targets: string[];
  apiKey: string;
  flagKey: string;
  rate: number;
  maxInFlight?: number;
  timeoutMs?: number;
}

/** Starts the load client process (see load-client.ts) and talks to it over its stdin and stdout. */
export async function startLoad(options: LoadOptions) {
  const child = spawn(process.execPath, ["--import", "tsx", CLIENT], {
    env: { ...process.env, LOAD_CONFIG: JSON.stringify({ maxInFlight: 64, timeoutMs: 10_000, ...options }) },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the load client did not answer")), 20_000);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
    });
  await next();
  const command = (cmd: string) => {
    const answer = next();
    child.stdin!.write(`${JSON.stringify({ cmd })}\n`);
    return answer;
  };
  return {
    report: () => command("report") as Promise<LoadStats>,
    reset: () => command("reset").then(() => undefined),
    async stop(): Promise<LoadStats> {
      const stats = (await command("stop")) as LoadStats;
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve)));
      return stats;
    },
    kill: () => child.kill("SIGKILL"),
  };
}

export type Load = Awaited<ReturnType<typeof startLoad>>;
