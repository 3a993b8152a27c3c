import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, found from this module: `apps/api/src/` when run from source and
 * `apps/api/dist/` when compiled (the build keeps every chunk at the top of `dist/`), both three
 * levels down. `.data/`, the migrations and the built admin app are found from here, so the
 * container keeps the repository's layout.
 */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** `prisma/migrations`: the SQL the migration runner applies. */
export const MIGRATIONS_DIR = path.join(REPO_ROOT, "prisma", "migrations");
