import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestApp } from "../helpers/app";
import { audienceHeaders, createHostileApp, createRunner } from "./harness";
import { enumerateRoutes, routeSpecs, type Audience } from "./routes";
import { createWorld, type World } from "./world";

/**
 * The whole file's requests run in one test: a deadline against a hang only. On a quiet machine
 * the largest file takes about a minute; a loaded one can double that.
 */
const SUITE_HANG_GUARD_MS = 600_000;

/**
 * Defines one file of the hostile-input suite: every enumerated route whose audience is in
 * `audiences`, driven with `numRuns` generated requests each, authenticated as that audience.
 * `share` splits those routes over several files (every `of`-th route from `part`), so the
 * test runner can drive them at once.
 */
export function hostileSuite(name: string, audiences: readonly Audience[], numRuns: number, seed: number, share: { part: number; of: number } = { part: 0, of: 1 }) {
  let t: TestApp;
  let world: World;
  beforeAll(async () => {
    t = await createHostileApp();
    world = await createWorld(t);
  });
  afterAll(async () => t?.close());

  it(`answers every hostile input to the ${name} routes with a 4xx in the error shape, in time, changing nothing when refused`, { timeout: SUITE_HANG_GUARD_MS }, async () => {
    const started = performance.now();
    const specs = routeSpecs(world);
    const routes = enumerateRoutes(t.app)
      .filter((route) => specs[route] && audiences.includes(specs[route].audience))
      .filter((_, index) => index % share.of === share.part);
    const runner = await createRunner(t, world, enumerateRoutes(t.app));
    try {
      for (const route of routes) {
        const spec = specs[route]!;
        const headers = audienceHeaders(world, spec.audience);
        await runner.drive(route, spec, headers, headers, numRuns, seed);
      }
    } finally {
      await runner.close();
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`hostile ${name}: ${runner.stats.routes.size} routes, ${runner.stats.requests} requests (${runner.stats.refused} refused, ${runner.stats.accepted} accepted) in ${seconds} s, seed ${seed}`);
    expect(runner.stats.routes.size).toBe(routes.length);
    expect(runner.failures).toEqual([]);
  });
}
