import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository's root, where `pnpm` builds and the bin runs from. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The bin as the package ships it: bin/ensign.js running the tsdown build in dist/. */
export const BIN = fileURLToPath(new URL("../bin/ensign.js", import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/ensign.js ...args` with only `env` (and PATH) as its environment. */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: { PATH: process.env.PATH, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(options.stdin ?? "");
  });
}

/** Runs a command to completion: `pnpm --filter @ensign/cli build` and the like. */
export function runCommand(command: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: REPO_ROOT, timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
