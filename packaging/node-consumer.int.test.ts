import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { npmEnv, REPO_ROOT, run } from "./packages";
import { startPortalApi, type PortalApi } from "./portal-api";

/**
 * The tarballs as a user gets them from npm, installed into a project outside the workspace:
 * plain `node` evaluates with them against the real API, TypeScript accepts their declarations
 * under both module resolutions a project may use, and Vite bundles the React bindings.
 */
describe("the packed packages in a plain Node project", () => {
  const consumerDir = inject("consumerDir");
  let api: PortalApi;

  beforeAll(async () => {
    api = await startPortalApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it("installs outside the workspace, with nothing resolved from it", () => {
    expect(path.relative(REPO_ROOT, consumerDir)).toMatch(/^\.\./);
    for (const name of ["sdk", "react", "evaluator", "contracts"]) {
      const installed = path.join(consumerDir, "node_modules", "@ensign", name);
      expect(existsSync(path.join(installed, "dist")), name).toBe(true);
      expect(existsSync(path.join(installed, "src")), name).toBe(false);
    }
  });

  it("evaluates with `node` in remote mode (client key) and local mode (server key), with the same answers", async () => {
    const result = await run(process.execPath, ["evaluate.mjs"], {
      cwd: consumerDir,
      env: { ...npmEnv(), ENSIGN_URL: api.url, ENSIGN_CLIENT_KEY: api.clientKey, ENSIGN_SERVER_KEY: api.serverKey },
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const answers = JSON.parse(result.stdout) as { remote: Record<string, Record<string, { value: unknown; reason: string }>>; local: typeof answers.remote; localStatus: string };
    expect(answers.localStatus).toBe("ready");
    expect(answers.remote["desert-laughs"]).toMatchObject({
      knowledge_base_enabled: { value: true, reason: "TARGETING_MATCH" },
      ai_agents_enabled: { value: false },
      checkout_theme: { value: "classic" },
    });
    expect(answers.remote["tucson-theatre-works"]).toMatchObject({ knowledge_base_enabled: { value: false }, ai_agents_enabled: { value: true } });
    expect(answers.remote["arizona-comedy"]).toMatchObject({ checkout_theme: { value: "modern", reason: "TARGETING_MATCH" } });
    expect(answers.local).toEqual(answers.remote);
  });

  it.each(["nodenext", "bundler"])("type-checks a consumer with moduleResolution %s and skipLibCheck off", async (resolution) => {
    const tsc = path.join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", `types/tsconfig.${resolution}.json`], { cwd: consumerDir, timeoutMs: 120_000 });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("bundles a React portal with Vite, with no Node module left to shim", async () => {
    const vite = path.join(REPO_ROOT, "node_modules", "vite", "bin", "vite.js");
    const result = await run(process.execPath, [vite, "build", "--logLevel", "warn"], { cwd: path.join(consumerDir, "web"), timeoutMs: 120_000 });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toMatch(/externalized for browser compatibility|node:/);
    const assets = path.join(consumerDir, "web", "dist", "assets");
    const bundle = readdirSync(assets)
      .filter((file) => file.endsWith(".js"))
      .map((file) => readFileSync(path.join(assets, file), "utf8"))
      .join("\n");
    expect(bundle).toContain("Knowledge Base (bundled portal)");
    expect(bundle).toContain("/v1/flags"); // the SDK's remote client came along
  });
});
