import { readFileSync } from "node:fs";
import type { Io } from "./output";
import { runProgram } from "./program";

export { EXIT, type ExitCode } from "./errors";

/** The package's version, from its package.json (one level up from both src/ and dist/). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * Runs `ensign` with `argv` (the words after the command name) and answers its exit code; the
 * bin sets `process.exitCode` to it. Output goes to `io` (the process's streams by default).
 */
export function run(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }): Promise<number> {
  return runProgram(argv, io, version());
}
