import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const backend = process.env.PORTAL_BACKEND_URL ?? "http://127.0.0.1:4000";

// In development Vite serves the app and forwards /api to the demo backend; in production the backend serves the build.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: { port: 5174, proxy: { "/api": { target: backend } } },
  build: { outDir: "dist", sourcemap: true },
});
