import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { npmEnv, REPO_ROOT, run } from "./packages";
import { startPortalApi, type PortalApi } from "./portal-api";

/**
 * The tarballs as a user gets them from npm, installed into a project outside the workspace:
 * plain `node` evaluates with them against the real API, TypeScript accepts their declarations
 * under both module resolutions a project may use, Vite bundles the React bindings, and the
 * installed `ensign` bin manages flags with a service token.
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
    for (const name of ["sdk", "react", "evaluator", "contracts", "cli"]) {
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

  it("runs the installed `ensign` bin against the real API with only a service token", async () => {
    const bin = path.join(consumerDir, "node_modules", ".bin", "ensign");
    const env = { ...npmEnv(), ENSIGN_URL: api.url, ENSIGN_TOKEN: api.serviceToken, ENSIGN_WORKSPACE: api.workspace, HOME: consumerDir, XDG_CONFIG_HOME: path.join(consumerDir, ".config") };
    const ensign = (...args: string[]) => run(bin, args, { cwd: consumerDir, env, timeoutMs: 60_000 });

    const installed = JSON.parse(readFileSync(path.join(consumerDir, "node_modules", "@ensign", "cli", "package.json"), "utf8")) as { version: string };
    const version = await ensign("--version");
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(installed.version);

    const created = await ensign("flags", "create", "packed_cli", "--name", "Made by the packed CLI", "--json");
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ key: "packed_cli", type: "boolean" });
    const enabled = await ensign("flags", "enable", "packed_cli", "--env", "production");
    expect(enabled.code, enabled.stderr).toBe(0);

    const listed = await ensign("flags", "list", "--env", "production", "--json");
    expect(listed.code, listed.stderr).toBe(0);
    const flags = (JSON.parse(listed.stdout) as { items: { key: string; environments: { environment: string; enabled: boolean }[] }[] }).items;
    expect(flags.map((f) => f.key).sort()).toEqual(["ai_agents_enabled", "checkout_theme", "knowledge_base_enabled", "packed_cli"]);
    expect(flags.find((f) => f.key === "packed_cli")!.environments).toEqual([expect.objectContaining({ environment: "production", enabled: true })]);

    const missing = await ensign("flags", "get", "no_such_flag");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("HTTP 404");
  });
});
