import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * The directories under packages/ that are published to npm, in dependency order. A new
 * published package is one more line here; the tarball test fails while one is missing.
 */
export const PUBLISHED = [
  "contracts",
  "evaluator",
  "sdk",
  "react",
  "cli",
] as const;

/** Every package under packages/ that is not private: what `changeset publish` would publish. */
export function publishablePackages(): string[] {
  return readdirSync(path.join(REPO_ROOT, "packages"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .filter((entry) => {
      try {
        return JSON.parse(readFileSync(path.join(REPO_ROOT, "packages", entry.name, "package.json"), "utf8")).private !== true;
      } catch {
        return false; // not a package
      }
    })
    .map((entry) => entry.name)
    .sort();
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects (the caller asserts on the exit code and output). */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Like `run`, but a failure throws with the command's output. */
export async function mustRun(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${options.cwd}) exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result;
}

/**
 * The environment for npm in a consumer project: the machine's registry settings, but none of
 * the workspace's pnpm settings (`npm_config_*` from a pnpm script would reach npm too).
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith("npm_") && !key.startsWith("PNPM_")) env[key] = value;
  return { ...env, NO_UPDATE_NOTIFIER: "1", NEXT_TELEMETRY_DISABLED: "1" };
}

/** `npm install` in `cwd`, quietly and without audit or funding requests. */
export function npmInstall(cwd: string, args: string[] = []): Promise<Run> {
  return mustRun("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...args], { cwd, env: npmEnv(), timeoutMs: 600_000 });
}

/** `package.json` `dependencies` (and `overrides`, so nothing fetches @ensign/* from the registry) pointing at the tarballs. */
export function tarballDependencies(tarballs: Record<string, string>): { dependencies: Record<string, string>; overrides: Record<string, string> } {
  const dependencies: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  for (const [name, file] of Object.entries(tarballs)) {
    dependencies[name] = `file:${file}`;
    overrides[name] = `$${name}`;
  }
  return { dependencies, overrides };
}
