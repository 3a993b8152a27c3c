import { defineConfig } from "tsdown";

/** One module per resource, as in src/: `@ensign/contracts/<resource>` maps to dist/<resource>.js. */
export default defineConfig({
  entry: ["src/*.ts", "!src/**/*.test.ts"],
  unbundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  fixedExtension: false,
  dts: true,
  sourcemap: true,
  clean: true,
});
