import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT, run } from "./packages";
import { startPortalApi, type PortalApi } from "./portal-api";

interface Menu {
  errors: string[];
  tree(): string;
  close(): void;
}

/**
 * React Native's fetch (a polyfill over XMLHttpRequest) hands over a response only once it has
 * ended, and with no readable body: the change stream can never be read through it.
 */
const reactNativeFetch = async (input: string, init?: RequestInit): Promise<Response> => {
  if (new URL(input).pathname === "/v1/stream") return new Response(null, { status: 200, headers: { "content-type": "text/event-stream" } });
  const response = await fetch(input, init);
  const body = response.status === 304 ? null : await response.text();
  const answer = new Response(body, { status: response.status, headers: response.headers });
  Object.defineProperty(answer, "body", { value: undefined });
  return answer;
};

/**
 * A realm with what React Native's JavaScript runtime offers (fetch, timers, URL, abort
 * signals, text codecs, `global`) and nothing of a browser's or Node's: no window, document,
 * EventSource, MessageChannel, process or require.
 */
function reactNativeRealm(logs: string[]) {
  const record = (...args: unknown[]) => logs.push(args.map(String).join(" "));
  const realm = vm.createContext({
    fetch: reactNativeFetch,
    Headers,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    URL,
    URLSearchParams,
    AbortController,
    AbortSignal,
    TextEncoder,
    TextDecoder,
    console: { log: record, info: record, warn: record, error: record, debug: record },
  });
  // React Native names the global object `global` too, and its test environment says so to React.
  vm.runInContext("globalThis.global = globalThis; globalThis.IS_REACT_NATIVE_TEST_ENVIRONMENT = true;", realm);
  return realm;
}

describe("the React bindings in a React Native-like runtime", () => {
  const consumerDir = inject("consumerDir");
  const appDir = path.join(consumerDir, "react-native");
  let api: PortalApi;
  let bundle: string;

  beforeAll(async () => {
    api = await startPortalApi();
    const vite = path.join(REPO_ROOT, "node_modules", "vite", "bin", "vite.js");
    const built = await run(process.execPath, [vite, "build"], { cwd: appDir, timeoutMs: 120_000 });
    if (built.code !== 0) throw new Error(`vite build failed:\n${built.stdout}\n${built.stderr}`);
    expect(built.stdout + built.stderr).not.toMatch(/externalized for browser compatibility/);
    bundle = readFileSync(path.join(appDir, "dist", "app.js"), "utf8");
  });
  afterAll(async () => {
    await api?.close();
  });

  it("bundles with no DOM, Node or EventSource module to load", () => {
    expect(bundle).not.toMatch(/__vite-browser-external|require\(["']node:|from ["']node:/);
  });

  it("loads and renders without window, document or EventSource, then follows a change by polling", async () => {
    const logs: string[] = [];
    const realm = reactNativeRealm(logs);
    vm.runInContext(bundle, realm, { filename: "app.js" });
    expect(vm.runInContext("[typeof window, typeof document, typeof EventSource, typeof process, typeof require].join()", realm)).toBe("undefined,undefined,undefined,undefined,undefined");

    const renderMenu = realm.renderMenu as (options: { url: string; clientKey: string; tenantKey: string; pollIntervalMs: number }) => Menu;
    const menu = renderMenu({ url: api.url, clientKey: api.clientKey, tenantKey: "tucson-theatre-works", pollIntervalMs: 200 });
    try {
      await expect.poll(() => menu.tree(), { timeout: 10_000 }).toContain('"status":"ready"');
      expect(menu.tree()).toContain("AI Assistant");
      expect(menu.tree()).not.toContain("Knowledge Base");

      // No stream can reach this runtime: the switch arrives by polling /v1/flags.
      await api.toggle("ai_agents_enabled", false);
      await expect.poll(() => menu.tree(), { timeout: 10_000 }).not.toContain("AI Assistant");
      expect(menu.errors.filter((error) => error.startsWith("STREAM"))).toHaveLength(1);
      expect(menu.errors.filter((error) => !error.startsWith("STREAM"))).toEqual([]);
    } finally {
      menu.close();
    }
    expect(logs).toEqual([]);
  });
});
