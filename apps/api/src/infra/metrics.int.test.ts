import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/helpers/app";
import { apiKeyHeaders, createApiKey, createFlag } from "../../test/helpers/evaluation-fixtures";
import { createWorkspace } from "../../test/helpers/fixtures";
import { startMetricsServer, type MetricsServer } from "./metrics-server";

/** The value of one sample of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

/** The sum over every sample of `name` whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string>): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("Prometheus metrics", () => {
  let t: TestApp;
  let api: string;
  let metrics: MetricsServer;
  let ws: Awaited<ReturnType<typeof createWorkspace>>;
  let client: string;
  let server: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    api = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    metrics = await startMetricsServer(t.app.services.metrics.registry, { host: "127.0.0.1", port: 0 });
    ws = await createWorkspace(t.db);
    const prod = ws.environments[2]!.id;
    for (const key of ["alpha", "beta", "gamma"]) await createFlag(t.db, ws.id, { key, states: { [prod]: { enabled: true } } });
    client = (await createApiKey(t.db, ws.id, prod, "client")).secret;
    server = (await createApiKey(t.db, ws.id, prod, "server")).secret;
  });
  afterAll(async () => {
    await metrics.close();
    await t.close();
  });

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    return res.text();
  };
  const ofrep = (path: string) =>
    fetch(`${api}/ofrep/v1/evaluate/flags${path}`, {
      method: "POST",
      headers: { ...apiKeyHeaders(server), "content-type": "application/json" },
      body: JSON.stringify({ context: { targetingKey: "user-1" } }),
    });

  it("counts every path that evaluates, by environment, reason and kind, and the requests by route and status", async () => {
    const labels = { workspace: ws.slug, environment: "production" };
    expect((await ofrep("/alpha")).status).toBe(200);
    expect((await ofrep("")).status).toBe(200);
    expect((await fetch(`${api}/v1/flags?tenantKey=acme`, { headers: apiKeyHeaders(client) })).status).toBe(200);
    expect((await fetch(`${api}/v1/config`, { headers: apiKeyHeaders(server) })).status).toBe(200);

    const text = await scrape();
    expect(total(text, "ensign_evaluations_total", { ...labels, kind: "single" })).toBe(1);
    expect(total(text, "ensign_evaluations_total", { ...labels, kind: "bulk" })).toBe(3);
    expect(total(text, "ensign_evaluations_total", { ...labels, kind: "portal" })).toBe(3);
    expect(sample(text, "ensign_sdk_config_downloads_total", labels)).toBe(1);
    expect(sample(text, "ensign_evaluation_duration_seconds_count", { kind: "bulk" })).toBe(1);
    // The OFREP fast path is counted as the Fastify routes are, by route pattern.
    expect(sample(text, "ensign_http_requests_total", { method: "POST", route: "/ofrep/v1/evaluate/flags/:key", status: "200" })).toBe(1);
    expect(sample(text, "ensign_http_requests_total", { method: "POST", route: "/ofrep/v1/evaluate/flags", status: "200" })).toBe(1);
    expect(sample(text, "ensign_http_requests_total", { method: "GET", route: "/v1/config", status: "200" })).toBe(1);
    expect(sample(text, "ensign_http_request_duration_seconds_count", { method: "GET", route: "/v1/flags" })).toBe(1);
  });

  it("reports snapshots, dependencies, streams, schedule runs and the process", async () => {
    const text = await scrape();
    const environment = await t.db.prisma.environment.findFirstOrThrow({ where: { workspaceId: ws.id, key: "production" } });
    expect(sample(text, "ensign_snapshot_version", { workspace: ws.slug, environment: "production" })).toBe(environment.snapshotVersion);
    expect(sample(text, "ensign_snapshot_age_seconds", { workspace: ws.slug, environment: "production" })).toBeGreaterThanOrEqual(0);
    expect(sample(text, "ensign_snapshot_rebuild_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(sample(text, "ensign_dependency_up", { dependency: "database" })).toBe(1);
    expect(sample(text, "ensign_dependency_up", { dependency: "cache" })).toBe(1);
    expect(sample(text, "ensign_sse_streams_open")).toBe(0);
    expect(text).toContain("# TYPE ensign_schedule_runs_total counter");
    expect(sample(text, "ensign_process_cpu_seconds_total")).toBeGreaterThan(0);
  });

  it("is not on the public port, and its own port answers nothing else", async () => {
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
    const other = await fetch(`http://127.0.0.1:${metrics.port}/admin`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});
