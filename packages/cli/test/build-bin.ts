import { runCommand } from "./run-cli";

/**
 * The `cli` project's global setup: builds the bin once for the run (`pnpm --filter @ensign/cli
 * build`), so the test files run what the package ships and never rebuild it under each other.
 */
export default async function setup() {
  const build = await runCommand("pnpm", ["--filter", "@ensign/cli", "build"]);
  if (build.code !== 0) throw new Error(`Building @ensign/cli failed:\n${build.stdout}\n${build.stderr}`);
}
