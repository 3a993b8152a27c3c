/**
 * Writes a new migration from the difference between the committed schema (git HEAD) and the
 * working copy of prisma/schema.prisma:  pnpm db:migration <name>
 * Add row-level security policies for new workspace-owned tables by hand at the end of the file.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("Usage: pnpm db:migration <name>   (lowercase letters, digits and _)");
  process.exit(1);
}

const previous = execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { encoding: "utf8" });
const dir = mkdtempSync(path.join(tmpdir(), "ensign-schema-"));
const previousPath = path.join(dir, "schema.prisma");
writeFileSync(previousPath, previous);

const sql = execFileSync(
  "pnpm",
  ["exec", "prisma", "migrate", "diff", "--from-schema-datamodel", previousPath, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (!sql.trim() || /^-- This is an empty migration/m.test(sql)) {
  console.log("The schema has not changed since HEAD; no migration written.");
  process.exit(0);
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const target = path.join("prisma", "migrations", `${stamp}_${name}`);
mkdirSync(target, { recursive: true });
writeFileSync(path.join(target, "migration.sql"), sql);
console.log(`Wrote ${path.join(target, "migration.sql")}. New workspace-owned tables need an RLS policy added by hand.`);
