// One script for a bare JavaScript realm: everything bundled, nothing left to import.
export default {
  logLevel: "warn",
  define: { "process.env.NODE_ENV": JSON.stringify("development") },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    minify: false,
    lib: { entry: "app.jsx", formats: ["iife"], name: "ReactNativeApp", fileName: () => "app.js" },
  },
};
