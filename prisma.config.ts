import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI runs here without native engines: the WebAssembly schema engine talks to the
// database through a driver adapter. The API applies migrations itself (apps/api/src/infra/db).
export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (url) {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: url });
    }
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    const { PGlite } = await import("@electric-sql/pglite");
    // Without DATABASE_URL the CLI only needs a database for schema work (e.g. `migrate diff`).
    return new PrismaPGlite(new PGlite());
  },
});
