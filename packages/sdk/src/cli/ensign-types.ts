import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { API_KEY_HEADER } from "../headers";
import { conditionalGet } from "../http";
import { parseSnapshot } from "../node/snapshot";
import { generateFlagTypes, withImports } from "./generate-types";

const USAGE = `Usage: ensign-types --url <Ensign URL> --key <server key> --out <file.ts> [--type-name EnsignFlags] [--camel] [--no-register]

Downloads the environment's configuration (GET /v1/config) and writes a TypeScript type of its
flag keys and value types. The key may also come from ENSIGN_SERVER_KEY, the URL from ENSIGN_URL.`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        url: { type: "string" },
        key: { type: "string" },
        out: { type: "string" },
        "type-name": { type: "string" },
        camel: { type: "boolean" },
        "no-register": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) return console.log(USAGE), 0;
  const url = args.url ?? env.ENSIGN_URL;
  const key = args.key ?? env.ENSIGN_SERVER_KEY;
  if (!url || !key || !args.out) {
    console.error(`--url, --key and --out are required.\n\n${USAGE}`);
    return 2;
  }
  try {
    const result = await conditionalGet(globalThis.fetch, new URL("/v1/config", url).toString(), { headers: { [API_KEY_HEADER]: key }, timeoutMs: 15_000, parse: parseSnapshot });
    if (result.notModified) throw new Error("unexpected 304");
    const source = generateFlagTypes(result.body, { typeName: args["type-name"], keys: args.camel ? "camel" : "original", register: !args["no-register"] });
    // pnpm runs scripts in the package's folder; resolve --out from where the user typed it.
    const out = path.resolve(env.INIT_CWD ?? process.cwd(), args.out);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, withImports(source));
    console.log(`Wrote ${result.body.flags.filter((f) => !f.archived).length} flag types to ${out}`);
    return 0;
  } catch (error) {
    console.error(`ensign-types: ${(error as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href) {
  process.exitCode = await main(process.argv.slice(2));
}
