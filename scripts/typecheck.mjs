#!/usr/bin/env node
/**
 * Type-checks the repository with TypeScript 7, the native compiler (the root's
 * `typescript-native` dev dependency): every `tsconfig*.json` of apps/*, packages/*, e2e and
 * packaging from the root, or those of the current package when run inside one
 * (`pnpm --filter @ensign/api typecheck`). TypeScript 5.9 (`typescript`) stays installed for the
 * tools that use its JavaScript API: typescript-eslint and the declaration builds.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const tsc = path.join(path.dirname(createRequire(path.join(ROOT, "package.json")).resolve("typescript-native/package.json")), "bin", "tsc");

const configsIn = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => /^tsconfig.*\.json$/.test(name))
        .sort()
        .map((name) => path.join(dir, name))
    : [];
const subfolders = (dir) =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(ROOT, dir, entry.name));

const here = path.resolve(process.cwd());
const configs =
  here === path.resolve(ROOT)
    ? [...subfolders("apps"), ...subfolders("packages"), path.join(ROOT, "e2e"), path.join(ROOT, "packaging")].flatMap(configsIn)
    : configsIn(here);
if (configs.length === 0) {
  console.error(`typecheck: no tsconfig*.json in ${here}`);
  process.exit(2);
}

/*
 * Each project is checked single-threaded, two at a time. TypeScript 7 would otherwise split a
 * project across four checkers that each resolve the shared types again: about twice the CPU
 * for the same answer, and on a two-core machine, beside lint, CPU is what the run waits for.
 */
const PARALLEL = Math.max(1, Math.min(2, availableParallelism()));

function check(config) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, "--noEmit", "--singleThreaded", "-p", config], { stdio: ["ignore", "pipe", "pipe"] });
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("close", (code) => {
      // One project's report at a time, whole, however the checks interleave.
      if (output.length) process.stdout.write(Buffer.concat(output));
      if (code !== 0) console.error(`typecheck: ${path.relative(ROOT, config)} has errors`);
      resolve(code === 0);
    });
  });
}

const queue = [...configs];
let failed = 0;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (let config = queue.shift(); config; config = queue.shift()) if (!(await check(config))) failed += 1;
  }),
);
process.exit(failed === 0 ? 0 : 1);
