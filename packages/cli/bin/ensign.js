#!/usr/bin/env node
// The CLI as the package ships it, compiled by `pnpm build` (tsdown) into dist/.
const { run } = await import("../dist/index.js");
process.exitCode = await run(process.argv.slice(2));
