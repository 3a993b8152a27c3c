#!/usr/bin/env node
// The CLI as the package ships it, compiled by `pnpm build` (tsdown) into dist/.
const { main } = await import("../dist/cli/ensign-types.js");
process.exitCode = await main(process.argv.slice(2));
