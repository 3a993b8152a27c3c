import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const api = process.env.ENSIGN_API_URL ?? "http://127.0.0.1:3000";

// In development Vite serves the app and forwards API calls; in production the API serves the build.
export default defineConfig({
  plugins: [
    react(),
    tailwindcss(),
    VitePWA({
      strategies: "generateSW",
      filename: "sw.js",
      // main.tsx registers it after the first paint; no manifest: offline viewing, not an installable app.
      injectRegister: false,
      manifest: false,
      workbox: {
        // The app shell: the document, every script and style, the icon and the Latin fonts.
        globPatterns: ["index.html", "assets/*.{js,css}", "favicon.svg", "assets/inter-latin-*.woff2"],
        navigateFallback: "/index.html",
        // Only the app's own pages; the API, its docs and health checks always go to the server.
        navigateFallbackDenylist: [/^\/v1\//, /^\/docs/, /^\/ofrep\//, /^\/healthz/, /^\/readyz/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [
          {
            // The GETs whose last answers the app shows offline (ADR 0026): the user, the workspaces, and
            // the flag lists with what they show alongside. The function is copied into sw.js as is:
            // everything it uses is inside it.
            urlPattern: ({ url, request, sameOrigin }) =>
              sameOrigin &&
              request.method === "GET" &&
              /^\/v1\/(?:auth\/me|workspaces(?:\/[^/]+(?:\/(?:flags|environments|modules|environments\/[^/]+\/master-switch))?)?)$/.test(url.pathname),
            handler: "NetworkFirst",
            options: {
              cacheName: "ensign-last-seen",
              networkTimeoutSeconds: 10,
              // Answers are the signed-in user's; the access token is not part of the key.
              matchOptions: { ignoreVary: true },
              expiration: { maxEntries: 200, maxAgeSeconds: 7 * 24 * 3600 },
              cacheableResponse: { statuses: [200] },
            },
          },
        ],
      },
    }),
  ],
  server: {
    port: 5173,
    proxy: Object.fromEntries(["/v1", "/ofrep", "/docs", "/healthz", "/readyz"].map((path) => [path, { target: api, changeOrigin: false }])),
  },
  // No source maps in the build: the API serves dist/ as is, and maps would publish the sources.
  build: { outDir: "dist", sourcemap: false },
});
