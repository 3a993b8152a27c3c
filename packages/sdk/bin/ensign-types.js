#!/usr/bin/env node
// The CLI is TypeScript (the repository's packages ship source); tsx runs it.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/ensign-types.ts");
process.exitCode = await main(process.argv.slice(2));
