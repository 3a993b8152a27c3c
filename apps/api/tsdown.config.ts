import { defineConfig } from "tsdown";

/**
 * The API compiled for `node`: the server and the operator CLI, with the workspace packages and
 * the generated Prisma client bundled in; the npm dependencies (`dependencies` in package.json)
 * stay external and come from node_modules. Every chunk lands at the top of `dist/`, the depth
 * `src/paths.ts` counts on.
 */
export default defineConfig({
  entry: { server: "src/server.ts", ensign: "src/cli/ensign.ts" },
  outDir: "dist",
  format: "esm",
  platform: "node",
  target: "node20.19",
  sourcemap: true,
  dts: false,
  clean: true,
  fixedExtension: false,
  // Bundled on purpose: the workspace packages' own dependencies, which the API does not list.
  deps: { onlyBundle: ["re2js", "semver"] },
});
