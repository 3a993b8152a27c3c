import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mustRun, npmEnv, npmInstall, REPO_ROOT, tarballDependencies } from "./packages";
import { startPortalApi, type PortalApi } from "./portal-api";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers at all; rejects when the process died or the deadline passed. */
async function waitUntilServing(url: string, child: ChildProcess, output: () => string, deadlineMs = 120_000) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}:\n${output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`next start did not answer within ${deadlineMs} ms:\n${output()}`);
}

/**
 * examples/nextjs as a user runs it: installed from npm (with the packed tarballs for
 * @ensign/*), built with `next build` and served by `next start` against the real API. The
 * server fetches the flags and renders with them; the browser's client starts from the same
 * values, so hydration changes nothing on screen.
 */
describe("the Next.js example", () => {
  const tarballs = inject("tarballs");
  const appDir = path.join(inject("packagingDir"), "nextjs");
  let api: PortalApi;
  let next: ChildProcess | undefined;
  let nextOutput = "";
  let origin: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const source = path.join(REPO_ROOT, "examples", "nextjs");
    cpSync(source, appDir, { recursive: true, filter: (file) => !/(^|\/)(node_modules|\.next)(\/|$)/.test(path.relative(source, file)) });
    const manifest = JSON.parse(readFileSync(path.join(appDir, "package.json"), "utf8")) as { dependencies: Record<string, string>; overrides?: Record<string, string> };
    const packed = tarballDependencies(tarballs);
    manifest.dependencies = { ...manifest.dependencies, ...packed.dependencies };
    manifest.overrides = packed.overrides;
    writeFileSync(path.join(appDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    await npmInstall(appDir);
    await mustRun(process.execPath, [path.join(appDir, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: appDir, env: npmEnv(), timeoutMs: 600_000 });

    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    api = await startPortalApi({ CORS_ORIGINS: origin });
    next = spawn(process.execPath, [path.join(appDir, "node_modules", "next", "dist", "bin", "next"), "start", "--hostname", "127.0.0.1", "--port", String(port)], {
      cwd: appDir,
      env: { ...npmEnv(), NODE_ENV: "production", ENSIGN_URL: api.url, ENSIGN_CLIENT_KEY: api.clientKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    next.stdout!.on("data", (chunk: Buffer) => (nextOutput += chunk.toString()));
    next.stderr!.on("data", (chunk: Buffer) => (nextOutput += chunk.toString()));
    await waitUntilServing(origin, next, () => nextOutput);
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  });
  afterAll(async () => {
    await browser?.close();
    if (next && next.exitCode === null) {
      const exited = new Promise((resolve) => next!.once("exit", resolve));
      next.kill("SIGTERM");
      await exited;
    }
    await api?.close();
  });

  it("renders each producer's flags on the server", async () => {
    const desert = await (await fetch(`${origin}/?producer=desert-laughs`)).text();
    expect(desert).toContain(">Knowledge Base</a>");
    expect(desert).not.toContain("AI Assistant");
    const tucson = await (await fetch(`${origin}/?producer=tucson-theatre-works`)).text();
    expect(tucson).toContain(">AI Assistant</a>");
    expect(tucson).not.toContain("Knowledge Base");
    const arizona = await (await fetch(`${origin}/?producer=arizona-comedy`)).text();
    expect(arizona).toContain('data-theme="modern"');
  });

  it("hydrates without a flash: the server's menu stays as it is while the browser's client starts", async () => {
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on("console", (message) => message.type() === "error" && problems.push(`${message.text()} (${message.location().url})`));
    page.on("response", (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
    page.on("pageerror", (error) => problems.push(error.message));
    // From the moment the parsed page is complete, records the menu and every later change to it.
    await page.addInitScript(() => {
      const seen = window as unknown as { menuAtLoad?: string; menuChanges: string[] };
      seen.menuChanges = [];
      document.addEventListener("DOMContentLoaded", () => {
        const menu = document.getElementById("sidebar");
        seen.menuAtLoad = menu?.outerHTML;
        if (!menu) return;
        new MutationObserver((records) => {
          for (const record of records) seen.menuChanges.push(`${record.type} in ${(record.target as Element).nodeName}`);
        }).observe(menu, { subtree: true, childList: true, attributes: true, characterData: true });
        // Replacing the whole menu would not show inside it.
        new MutationObserver(() => document.getElementById("sidebar") !== menu && seen.menuChanges.push("menu replaced")).observe(document.body, { subtree: true, childList: true });
      });
    });
    const clientFetch = page.waitForResponse((response) => response.url().startsWith(`${api.url}/v1/flags`));
    await page.goto(`${origin}/?producer=desert-laughs`);
    // The client's own request happens only after hydration (the provider starts it in an effect).
    expect((await clientFetch).status()).toBe(200);
    await page.waitForTimeout(500);
    const menu = await page.locator("#sidebar a").allTextContents();
    expect(menu).toEqual(["Dashboard", "Knowledge Base"]);
    const seen = await page.evaluate(() => {
      const { menuAtLoad, menuChanges } = window as unknown as { menuAtLoad?: string; menuChanges: string[] };
      return { menuAtLoad, menuChanges };
    });
    expect(seen.menuAtLoad).toContain(">Knowledge Base</a>");
    expect(seen.menuChanges).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
