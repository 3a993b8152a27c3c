import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.ENSIGN_API_URL ?? "http://127.0.0.1:3000";

// In development Vite serves the app and forwards API calls; in production the API serves the build.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    port: 5173,
    proxy: Object.fromEntries(["/v1", "/ofrep", "/docs", "/healthz", "/readyz"].map((path) => [path, { target: api, changeOrigin: false }])),
  },
  // No source maps in the build: the API serves dist/ as is, and maps would publish the sources.
  build: { outDir: "dist", sourcemap: false },
});
