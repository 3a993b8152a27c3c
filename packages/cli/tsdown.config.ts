import { defineConfig } from "tsdown";

/**
 * The CLI compiled for `node`: bin/ensign.js runs dist/index.js. `@ensign/contracts` (a
 * devDependency) is bundled in, with the two libraries its validators use; commander, yaml and
 * zod stay external and come from `dependencies`.
 */
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  fixedExtension: false,
  dts: true,
  sourcemap: true,
  clean: true,
  deps: { onlyBundle: ["re2js", "semver"] },
});
