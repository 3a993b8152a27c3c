import { defineConfig } from "tsdown";

/** One entry per export of package.json, and the `ensign-types` CLI that bin/ runs. */
export default defineConfig({
  entry: {
    index: "src/index.ts",
    "node/index": "src/node/index.ts",
    "guards/fastify": "src/guards/fastify.ts",
    "guards/express": "src/guards/express.ts",
    "openfeature/server-provider": "src/openfeature/server-provider.ts",
    "openfeature/web-provider": "src/openfeature/web-provider.ts",
    "cli/ensign-types": "src/cli/ensign-types.ts",
  },
  format: "esm",
  platform: "node",
  target: "es2022",
  fixedExtension: false,
  dts: true,
  sourcemap: true,
  clean: true,
});
