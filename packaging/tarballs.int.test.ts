import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { mustRun, PUBLISHED, publishablePackages, REPO_ROOT } from "./packages";

/** What a published package may hold: built code with its declarations, and its papers. */
const SHIPPED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^dist\/.+\.(js|d\.ts|js\.map)$/];
/** Extra files a package ships on purpose. */
const EXTRA: Record<string, RegExp[]> = {
  evaluator: [/^spec\/[\w-]+\.json$/], // the shared evaluation specification, exported as @ensign/evaluator/spec/*.json
  sdk: [/^bin\/[\w-]+\.js$/], // the ensign-types command
  cli: [/^bin\/[\w-]+\.js$/], // the ensign command
};

async function entries(tarball: string): Promise<string[]> {
  const { stdout } = await mustRun("tar", ["-tzf", tarball], { cwd: REPO_ROOT });
  return stdout
    .split("\n")
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ""));
}

async function manifest(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await mustRun("tar", ["-xzOf", tarball, "package/package.json"], { cwd: REPO_ROOT });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** The string values of an exports map: its targets. */
function leaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(leaves);
  return [];
}

describe("the packed packages", () => {
  const tarballs = inject("tarballs");

  it("are every package that is not private", () => {
    expect([...PUBLISHED].sort()).toEqual(publishablePackages());
  });

  it.each([...PUBLISHED])("@ensign/%s ships built code, declarations, a README and the license, and no sources, tests, benches or tools", async (name) => {
    const files = await entries(tarballs[`@ensign/${name}`]!);
    const allowed = [...SHIPPED, ...(EXTRA[name] ?? [])];
    expect(files.filter((file) => !allowed.some((pattern) => pattern.test(file)))).toEqual([]);
    expect(files.filter((file) => /\.test\.|\.bench\.|(^|\/)(test|bench|src)\//.test(file))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE"]));
    expect(files.some((file) => file.endsWith(".d.ts"))).toBe(true);
  });

  it.each([...PUBLISHED])("@ensign/%s has a manifest fit for npm: public, exports into dist, ranges for its own packages", async (name) => {
    const packed = await manifest(tarballs[`@ensign/${name}`]!);
    const source = JSON.parse(readFileSync(path.join(REPO_ROOT, "packages", name, "package.json"), "utf8")) as Record<string, unknown>;
    expect(packed.private).toBeUndefined();
    expect(packed.license).toBe("Apache-2.0");
    expect(packed.sideEffects).toBe(false);
    expect(packed.type).toBe("module");
    expect(packed.files).toEqual(source.files);
    expect(packed.version).toBe(source.version);
    expect(typeof packed.description).toBe("string");
    const targets = leaves(packed.exports);
    expect(targets.length).toBeGreaterThan(0);
    // Every export target is built output (or the evaluator's JSON specification), never a .ts source.
    for (const target of targets) expect(target).toMatch(/^\.\/(dist\/.+\.(js|d\.ts)|spec\/\*\.json)$/);
    for (const field of ["main", "types"] as const) if (packed[field] !== undefined) expect(packed[field]).toMatch(/^\.\/dist\/.+\.(js|d\.ts)$/);
    const dependencies = { ...(packed.dependencies as object), ...(packed.peerDependencies as object) } as Record<string, string>;
    for (const [dependency, range] of Object.entries(dependencies)) {
      expect(range, dependency).not.toContain("workspace:");
      if (dependency.startsWith("@ensign/")) expect(range, dependency).toBe(`^${packed.version}`);
    }
  });
});
