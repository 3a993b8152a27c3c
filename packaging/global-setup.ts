import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { mustRun, npmInstall, PUBLISHED, REPO_ROOT, tarballDependencies } from "./packages";

declare module "vitest" {
  export interface ProvidedContext {
    /** Package name → absolute path of its `pnpm pack` tarball. */
    tarballs: Record<string, string>;
    /** A project outside the workspace with the tarballs installed by npm (packaging/consumer copied there). */
    consumerDir: string;
    /** The temporary directory holding both; gone after the run. */
    packagingDir: string;
  }
}

/** Peers and tools the consumer project installs from the registry, as a user's project would. */
const CONSUMER_DEPENDENCIES = {
  react: "^19.2.0",
  "react-dom": "^19.2.0",
  "react-test-renderer": "^19.2.0",
  "@types/react": "^19.2.0",
};

/**
 * Builds every published package, packs each with `pnpm pack` (which applies `publishConfig`
 * and turns `workspace:^` into a version range, as `changeset publish` does), and installs the
 * tarballs with npm into a project under the system's temporary directory, far from the
 * workspace's node_modules.
 */
export default async function setup(project: TestProject) {
  await mustRun("pnpm", ["-r", ...PUBLISHED.flatMap((name) => ["--filter", `./packages/${name}`]), "build"], { cwd: REPO_ROOT, timeoutMs: 600_000 });

  const packagingDir = mkdtempSync(path.join(tmpdir(), "ensign-packages-"));
  const tarballDir = path.join(packagingDir, "tarballs");
  const tarballs: Record<string, string> = {};
  for (const name of PUBLISHED) {
    await mustRun("pnpm", ["pack", "--pack-destination", tarballDir], { cwd: path.join(REPO_ROOT, "packages", name) });
    const file = readdirSync(tarballDir).find((entry) => entry.startsWith(`ensign-${name}-`));
    if (!file) throw new Error(`pnpm pack wrote no tarball for packages/${name}`);
    tarballs[`@ensign/${name}`] = path.join(tarballDir, file);
  }

  const consumerDir = path.join(packagingDir, "consumer");
  cpSync(path.join(REPO_ROOT, "packaging", "consumer"), consumerDir, { recursive: true });
  const { dependencies, overrides } = tarballDependencies(tarballs);
  const manifest = { name: "ensign-consumer", private: true, type: "module", dependencies: { ...dependencies, ...CONSUMER_DEPENDENCIES }, overrides };
  writeFileSync(path.join(consumerDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await npmInstall(consumerDir);

  project.provide("tarballs", tarballs);
  project.provide("consumerDir", consumerDir);
  project.provide("packagingDir", packagingDir);
  return () => rmSync(packagingDir, { recursive: true, force: true });
}
