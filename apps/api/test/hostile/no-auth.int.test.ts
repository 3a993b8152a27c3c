import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { audienceHeaders, createHostileApp, createRunner } from "./harness";
import { enumerateRoutes, routeSpecs } from "./routes";
import { createWorld, type World } from "./world";

const GARBAGE_AUTH: Record<string, string>[] = [
  {},
  { authorization: "Bearer" },
  { authorization: "Bearer not.a.jwt" },
  { authorization: "Basic YWRtaW46YWRtaW4=" },
  { authorization: `Bearer ${"x".repeat(8_000)}` },
  { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwic2lkIjoieCIsInR5cCI6ImFjY2VzcyJ9." },
  { "x-api-key": "ens_cli_garbage" },
  { "x-api-key": "" },
  { "x-api-key": "é".repeat(300) },
];

describe("hostile input without credentials, and coverage of every route", () => {
  let t: TestApp;
  let world: World;
  beforeAll(async () => {
    t = await createHostileApp();
    world = await createWorld(t);
  });
  afterAll(async () => t?.close());

  it("drives every route the app serves (a new route without a spec fails here)", () => {
    const specs = routeSpecs(world);
    const routes = enumerateRoutes(t.app);
    expect(routes.length).toBeGreaterThan(90);
    expect(routes.filter((route) => !specs[route])).toEqual([]);
    expect(Object.keys(specs).filter((route) => !routes.includes(route))).toEqual([]);
  });

  it("refuses hostile input sent with no or garbage credentials with a 4xx, changing nothing", { timeout: 120_000 }, async () => {
    const started = performance.now();
    const specs = routeSpecs(world);
    const routes = enumerateRoutes(t.app);
    const runner = await createRunner(t, world, routes);
    try {
      for (const [i, route] of routes.entries()) {
        const spec = specs[route]!;
        if (spec.audience === "public") continue;
        for (const [j, auth] of GARBAGE_AUTH.entries()) {
          await runner.drive(route, spec, auth, audienceHeaders(world, spec.audience), 1, 1_000 * i + j);
        }
      }
    } finally {
      await runner.close();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`hostile without credentials: ${runner.stats.routes.size} routes, ${runner.stats.requests} requests (${runner.stats.refused} refused, ${runner.stats.accepted} accepted) in ${seconds} s`);
    expect(runner.stats.accepted).toBe(0);
    expect(runner.failures).toEqual([]);
  });
});
