#!/usr/bin/env node
/**
 * Type-checks the repository with TypeScript 7, the native compiler (the root's
 * `typescript-native` dev dependency): every `tsconfig*.json` of apps/*, packages/*, e2e and
 * packaging from the root, or those of the current package when run inside one
 * (`pnpm --filter @ensign/api typecheck`). TypeScript 5.9 (`typescript`) stays installed for the
 * tools that use its JavaScript API: typescript-eslint and the declaration builds.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
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

let failed = 0;
for (const config of configs) {
  const result = spawnSync(process.execPath, [tsc, "--noEmit", "-p", config], { stdio: "inherit" });
  if (result.status !== 0) {
    failed += 1;
    console.error(`typecheck: ${path.relative(ROOT, config)} has errors`);
  }
}
process.exit(failed === 0 ? 0 : 1);
