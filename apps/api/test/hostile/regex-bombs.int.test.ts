import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../helpers/app";
import { HANG_GUARD_MS } from "../helpers/wait";
import { REGEX_BOMBS } from "./inputs";
import { createWorld, type World } from "./world";

/**
 * A `matches` rule may hold any pattern the API accepts; evaluating it against any input must
 * finish. A request past this deadline counts as hung (a backtracking blow-up takes minutes to
 * years); linear time itself is checked by growth in packages/contracts/src/regex.test.ts.
 */
const BUDGET_MS = HANG_GUARD_MS;

const hostileText = fc.oneof(
  fc.constantFrom("a".repeat(1024), `${"a".repeat(1023)}!`, "ab".repeat(512), "x@".repeat(512), `${"1".repeat(1023)}x`, " ".repeat(1024), "a".repeat(1025), "\uD800".repeat(1024), "😀".repeat(512)),
  fc.tuple(fc.constantFrom("a", "ab", "a ", "1", "aa!", "=", "@"), fc.integer({ min: 1, max: 1024 })).map(([unit, n]) => unit.repeat(n).slice(0, 1024)),
);

describe("regular expression bombs in matches rules", () => {
  let t: TestApp;
  let world: World;
  let accepted: string[];
  let requests = 0;
  beforeAll(async () => {
    t = await createTestApp({ config: { STATS_FLUSH_INTERVAL: "1h" } });
    world = await createWorld(t);
  });
  afterAll(async () => t?.close());

  const base = () => `/v1/workspaces/${world.slug}`;
  const state = () => `${base()}/flags/${world.regexFlag}/environments/production`;

  it("stores only patterns the evaluator runs in linear time, and refuses the rest with a 400 naming the field", async () => {
    accepted = [];
    for (const pattern of REGEX_BOMBS) {
      const version = (await t.app.inject({ method: "GET", url: state(), headers: world.admin })).json().version;
      const body = { conditions: [{ attribute: "email", operator: "matches", values: [pattern] }], serve: { variant: "on" } };
      const res = await t.app.inject({ method: "POST", url: `${state()}/rules`, headers: { ...world.admin, "if-match": `"${version}"` }, payload: body });
      requests += 2;
      expect([201, 400]).toContain(res.statusCode);
      if (res.statusCode === 201) accepted.push(pattern);
      else expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toContain("body.conditions.0.values");
    }
    expect(accepted).toEqual(expect.arrayContaining(["(a+)+$", "(a|aa)+$", "(.*a){20}", "(a|a)*b"]));
    const segment = await t.app.inject({
      method: "PATCH",
      url: `${base()}/segments/${world.segment}`,
      headers: { ...world.admin, "if-match": `"${(await t.app.inject({ method: "GET", url: `${base()}/segments/${world.segment}`, headers: world.admin })).json().version}"` },
      payload: { rules: accepted.map((pattern) => ({ conditions: [{ attribute: "email", operator: "matches", values: [pattern] }] })) },
    });
    requests += 2;
    expect(segment.statusCode).toBe(200);
  });

  it("evaluates those rules against hostile inputs in time, on every evaluation route", { timeout: 60_000 }, async () => {
    const started = performance.now();
    const slow: string[] = [];
    const send = async (label: string, request: InjectOptions) => {
      const t0 = performance.now();
      const res = await t.app.inject(request);
      const ms = performance.now() - t0;
      requests++;
      if (ms > BUDGET_MS || res.statusCode >= 500) slow.push(`${label}: ${res.statusCode} in ${Math.round(ms)} ms`);
    };
    for (const email of fc.sample(hostileText, { numRuns: 12, seed: 7 })) {
      const context = { targetingKey: "user-9", email };
      const label = `email of ${email.length} chars starting ${JSON.stringify(email.slice(0, 6))}`;
      await send(`OFREP single, ${label}`, { method: "POST", url: `/ofrep/v1/evaluate/flags/${world.regexFlag}`, headers: world.client, payload: { context } });
      await send(`OFREP bulk, ${label}`, { method: "POST", url: "/ofrep/v1/evaluate/flags", headers: world.client, payload: { context } });
      await send(`portal, ${label}`, { method: "GET", url: `/v1/flags?context=${encodeURIComponent(JSON.stringify(context))}`, headers: world.client });
      await send(`live evaluation, ${label}`, { method: "POST", url: `${base()}/environments/production/evaluate`, headers: world.admin, payload: { flag: world.regexFlag, context } });
      await send(`impact, ${label}`, {
        method: "POST",
        url: `${base()}/environments/production/impact`,
        headers: world.admin,
        payload: { flag: world.regexFlag, state: { rules: accepted.map((pattern) => ({ conditions: [{ attribute: "email", operator: "matches", values: [pattern] }], serve: { variant: "on" } })) } },
      });
    }
    console.log(`hostile regex: ${accepted.length} of ${REGEX_BOMBS.length} patterns accepted, ${requests} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(slow).toEqual([]);
  });
});
