import { compile, evaluate } from "@ensign/evaluator";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, SERVER_KEY, startFakeEnsign, type FakeEnsign } from "../../test/fake-ensign";
import { booleanFlag, portalSnapshot, setTenantFeature } from "../../test/snapshots";
import { sleep, waitFor } from "../../test/wait";
import type { EnsignError, FlagDetails } from "../types";
import { createLocalClient, type LocalClientOptions } from "./local-client";

let fake: FakeEnsign;
const clients: { close(): void }[] = [];
beforeEach(async () => {
  fake = await startFakeEnsign(portalSnapshot());
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await fake.close();
});

function client(options: Partial<LocalClientOptions> = {}) {
  const created = createLocalClient({ url: fake.url, serverKey: SERVER_KEY, backoff: { initialMs: 20, jitter: 0 }, ...options });
  clients.push(created);
  const errors: EnsignError[] = [];
  created.on("error", (error) => errors.push(error));
  return { client: created, errors };
}

const configRequests = () => fake.requests.filter((r) => r.path === "/v1/config");
const TENANTS = ["arizona-comedy", "desert-laughs", "phoenix-improv-collective", "tucson-theatre-works", "unknown-producer"];
const DEFAULTS: Record<string, unknown> = { checkout_theme: "none", max_seats: -1, banner: { fallback: true } };

describe("local client", () => {
  it("evaluates in process exactly as the evaluator does, for any context", async () => {
    const { client: c } = client({ stream: false });
    await c.start();
    const compiled = compile(fake.snapshot);
    const keys = [...fake.snapshot.flags.map((f) => f.key), "missing_flag"];
    const context = fc.record(
      {
        targetingKey: fc.oneof(fc.constantFrom("user-1", "user-2", "user-7"), fc.string({ maxLength: 12 })),
        tenantKey: fc.constantFrom(...TENANTS),
        role: fc.constantFrom("owner", "staff"),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(context, fc.constantFrom(...keys), (ctx, key) => {
        const defaultValue = (DEFAULTS[key] ?? false) as never;
        const expected = evaluate(compiled, key, ctx, { defaultValue });
        const actual: FlagDetails = c.getDetails(key, defaultValue, ctx);
        expect(actual).toMatchObject({ value: expected.value, reason: expected.reason, detail: expected.detail });
        expect(actual.variant).toBe(expected.variant);
        expect(actual.errorCode).toBe(expected.errorCode);
      }),
      { numRuns: 500 },
    );
    expect(configRequests()).toHaveLength(1);
  });

  it("answers the seed 000 portal flags per producer, with typed getters and defaults", async () => {
    const { client: c, errors } = client({ stream: false, context: { role: "owner" } });
    await c.start();
    const producer = (tenantKey: string) => ({ targetingKey: `owner@${tenantKey}`, tenantKey });
    expect(c.getBoolean("ai_agents_enabled", false, producer("tucson-theatre-works"))).toBe(true);
    expect(c.getBoolean("ai_agents_enabled", false, producer("arizona-comedy"))).toBe(false);
    expect(c.getDetails("fin_ai_extraction", true, producer("desert-laughs"))).toMatchObject({ value: false, detail: "MODULE_DISABLED" });
    expect(c.getString("checkout_theme", "none", producer("arizona-comedy"))).toBe("modern");
    expect(c.getNumber("checkout_theme", 3, producer("arizona-comedy"))).toBe(3);
    expect(c.getBoolean("missing_flag", true)).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(["TYPE_MISMATCH", "FLAG_NOT_FOUND"]);
    expect(Object.keys(c.evaluateAll(producer("arizona-comedy")))).toContain("banner");
  });

  it("serves defaults while nothing is loaded and when the API is down", async () => {
    fake.failWith = 503;
    const { client: c, errors } = client({ stream: false });
    expect(c.getDetails("ai_agents_enabled", false)).toMatchObject({ value: false, errorCode: "PROVIDER_NOT_READY" });
    await c.start();
    expect(c.status).toBe("error");
    expect(c.getBoolean("ai_agents_enabled", true, { tenantKey: "arizona-comedy" })).toBe(true);
    expect(errors[0]).toMatchObject({ code: "HTTP", details: { status: 503 } });
  });

  it("refuses a client key's answer and a body that is no snapshot", async () => {
    const wrongKey = client({ stream: false, serverKey: CLIENT_KEY });
    await wrongKey.client.start();
    expect(wrongKey.errors[0]?.code).toBe("UNAUTHORIZED");
    fake.sendBadJson = true;
    const badJson = client({ stream: false });
    await badJson.client.start();
    expect(badJson.errors[0]?.code).toBe("BAD_RESPONSE");
  });

  it("stays current through the stream and tells which flags changed", async () => {
    const { client: c } = client();
    await c.start();
    await waitFor(() => c.isStreaming, "the stream");
    const changes: string[][] = [];
    const woken: string[] = [];
    c.on("change", (keys) => changes.push(keys));
    c.subscribe("ai_agents_enabled", () => woken.push("ai"));
    c.subscribe("knowledge_base_enabled", () => woken.push("kb"));
    fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "arizona-comedy", true));
    await waitFor(() => c.getBoolean("ai_agents_enabled", false, { tenantKey: "arizona-comedy" }), "the pushed change");
    expect(c.version).toBe(2);
    expect(changes).toEqual([["ai_agents_enabled"]]);
    expect(woken).toEqual(["ai"]);
    expect(configRequests()[1]!.headers["if-none-match"]).toBe('"1"');
  });

  it("serves every flag's off variant while the environment master switch is on, and every flag changes twice", async () => {
    const { client: c } = client();
    await c.start();
    await waitFor(() => c.isStreaming, "the stream");
    const context = { tenantKey: "tucson-theatre-works" };
    expect(c.getBoolean("ai_agents_enabled", false, context)).toBe(true);
    const changes: string[][] = [];
    c.on("change", (keys) => changes.push(keys));
    const everyKey = fake.snapshot.flags.map((f) => f.key).sort();

    fake.publish((s) => {
      s.masterSwitch = true;
    });
    await waitFor(() => !c.getBoolean("ai_agents_enabled", false, context), "the master switch");
    expect(c.getDetails("ai_agents_enabled", false, context)).toMatchObject({ value: false, variant: "off", reason: "DISABLED", detail: "MASTER_SWITCH" });
    for (const [key, details] of Object.entries(c.evaluateAll(context))) expect([key, details.reason, details.detail]).toEqual([key, "DISABLED", "MASTER_SWITCH"]);

    fake.publish((s) => {
      delete s.masterSwitch;
    });
    await waitFor(() => c.getBoolean("ai_agents_enabled", false, context), "the switch lifted");
    expect(c.getDetails("ai_agents_enabled", false, context).detail).not.toBe("MASTER_SWITCH");
    expect(changes.map((keys) => [...keys].sort())).toEqual([everyKey, everyKey]);
  });

  it("catches up after the stream reconnects", async () => {
    const { client: c } = client();
    await c.start();
    await waitFor(() => c.isStreaming, "the stream");
    fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "arizona-comedy", true), { notify: false });
    fake.dropStreams();
    await waitFor(() => c.version === 2, "the catch-up download");
  });

  it("polls /v1/config with its ETag while the stream is unavailable", async () => {
    fake.streamStatus = 404;
    const { client: c } = client({ pollIntervalMs: 60, backoff: { initialMs: 5_000 } });
    await c.start();
    await waitFor(() => configRequests().length >= 3, "two polls");
    expect(configRequests().slice(1).every((r) => r.headers["if-none-match"] === '"1"')).toBe(true);
    fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "arizona-comedy", true), { notify: false });
    await waitFor(() => c.getBoolean("ai_agents_enabled", false, { tenantKey: "arizona-comedy" }), "the polled change");
  });

  it("does not poll while the stream is connected", async () => {
    const { client: c } = client({ pollIntervalMs: 30 });
    await c.start();
    await waitFor(() => c.isStreaming, "the stream");
    const before = configRequests().length;
    await sleep(200);
    expect(configRequests()).toHaveLength(before);
  });

  it("evaluates a bootstrapped snapshot before any download", () => {
    const { client: c } = client({ bootstrap: portalSnapshot() });
    expect(c.status).toBe("ready");
    expect(c.getBoolean("ai_agents_enabled", false, { tenantKey: "tucson-theatre-works" })).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  describe("changes that carry their flags (deltas)", () => {
    const CONTEXTS = [{}, ...TENANTS.map((tenantKey) => ({ targetingKey: `owner@${tenantKey}`, tenantKey })), { targetingKey: "user-7", tenantKey: "desert-laughs" }];
    /** Every flag answers every context as a fresh compile of the fake's current snapshot does. */
    const expectCurrentAnswers = (c: ReturnType<typeof createLocalClient>) => {
      const compiled = compile(fake.snapshot);
      for (const flag of fake.snapshot.flags) {
        for (const context of CONTEXTS) {
          const expected = evaluate(compiled, flag.key, context, { defaultValue: null as never });
          const actual = c.getDetails(flag.key, null as never, context);
          expect({ key: flag.key, context, value: actual.value, reason: actual.reason, detail: actual.detail }).toEqual({ key: flag.key, context, value: expected.value, reason: expected.reason, detail: expected.detail });
        }
      }
    };
    const streaming = async () => {
      const { client: c, errors } = client();
      await c.start();
      await waitFor(() => c.isStreaming, "the stream");
      return { c, errors };
    };

    it("applies a delta from the version held without downloading /v1/config, and tells which flags changed", async () => {
      const { c, errors } = await streaming();
      const changes: string[][] = [];
      const woken: string[] = [];
      c.on("change", (keys) => changes.push(keys));
      c.subscribe("ai_agents_enabled", () => woken.push("ai"));
      c.subscribe("fin_duplicate_detection", () => woken.push("fin-dup"));
      c.subscribe("knowledge_base_enabled", () => woken.push("kb"));
      const context = { targetingKey: "owner@arizona-comedy", tenantKey: "arizona-comedy" };
      expect(c.getBoolean("ai_agents_enabled", true, context)).toBe(false);
      expect(c.getBoolean("fin_duplicate_detection", false, context)).toBe(true);

      fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "arizona-comedy", true), { deltaOf: ["ai_agents_enabled"] });
      await waitFor(() => c.version === 2, "the delta");
      expect(c.getBoolean("ai_agents_enabled", false, context)).toBe(true);
      // Two flags at once; the one that did not change is carried but not announced.
      fake.publish(
        (s) => {
          s.flags.find((f) => f.key === "fin_ai_extraction")!.state.enabled = false;
        },
        { deltaOf: ["fin_ai_extraction", "knowledge_base_enabled"] },
      );
      await waitFor(() => c.version === 3, "the second delta");
      // Its dependant reads the new prerequisite.
      expect(c.getBoolean("fin_duplicate_detection", true, context)).toBe(false);
      expectCurrentAnswers(c);

      expect(configRequests()).toHaveLength(1);
      expect(changes).toEqual([["ai_agents_enabled"], ["fin_ai_extraction"]]);
      expect(woken).toEqual(["ai"]);
      expect(errors).toEqual([]);

      // The next conditional download names the version reached: nothing new, nothing sent.
      await c.refresh();
      expect(configRequests()[1]!.headers["if-none-match"]).toBe('"3"');
      expect(c.version).toBe(3);
      expect(changes).toHaveLength(2);
    });

    const flagOf = (key: string) => {
      const next = structuredClone(fake.snapshot);
      setTenantFeature(next, key, "arizona-comedy", true);
      return next.flags.find((f) => f.key === key)!;
    };
    const turnOn = (s: Parameters<Parameters<FakeEnsign["publish"]>[0]>[0]) => setTenantFeature(s, "ai_agents_enabled", "arizona-comedy", true);
    it.each([
      ["made from another version", () => ({ fromVersion: 0, flags: [flagOf("ai_agents_enabled")] })],
      ["without flags", () => ({ fromVersion: 1, flags: [] })],
      ["whose flag has no state", () => ({ fromVersion: 1, flags: [{ key: "ai_agents_enabled" }] })],
      ["whose flag has no key", () => ({ fromVersion: 1, flags: [{ ...flagOf("ai_agents_enabled"), key: 7 }] })],
      ["naming a flag twice", () => ({ fromVersion: 1, flags: [flagOf("ai_agents_enabled"), flagOf("ai_agents_enabled")] })],
      ["naming a flag the client does not hold", () => ({ fromVersion: 1, flags: [flagOf("ai_agents_enabled"), { ...flagOf("ai_agents_enabled"), key: "brand_new" }] })],
      ["with a fromVersion that is no integer", () => ({ fromVersion: "1", flags: [flagOf("ai_agents_enabled")] })],
      ["that is no object", () => "ai_agents_enabled"],
    ])("downloads /v1/config for a delta %s", async (_, delta) => {
      const { c, errors } = await streaming();
      const changes: string[][] = [];
      c.on("change", (keys) => changes.push(keys));
      fake.publish(turnOn, { delta: delta() });
      await waitFor(() => configRequests().length === 2 && c.version === 2, "the download");
      expect(c.getBoolean("ai_agents_enabled", false, { tenantKey: "arizona-comedy" })).toBe(true);
      expect(changes).toEqual([["ai_agents_enabled"]]);
      expectCurrentAnswers(c);
      expect(errors).toEqual([]);
    });
  });

  describe("identity traits", () => {
    const withTraitRule = () =>
      fake.publish((s) => {
        const flag = booleanFlag("beta_reports", { fallthrough: "off" });
        flag.state.rules = [{ id: "r1", conditions: [{ attribute: "stage", operator: "equals", values: ["onboarded"] }], serve: { variant: "on" } }];
        s.flags.push(flag);
      });
    const traitRequests = () => fake.requests.filter((r) => r.path.startsWith("/v1/identities/"));

    it("reads an identity's traits once when first evaluated, merges them under the context, and holds them", async () => {
      withTraitRule();
      fake.setTraits("user-1", { stage: "onboarded" });
      const { client: c, errors } = client({ stream: false });
      await c.start();
      expect(fake.snapshot.identities).toEqual([]);
      expect(await c.evaluate("beta_reports", false, { targetingKey: "user-1" })).toMatchObject({ value: true });
      // Held now: the synchronous getters use them without asking again.
      expect(c.getBoolean("beta_reports", false, { targetingKey: "user-1" })).toBe(true);
      // The request's own attributes win over stored traits.
      expect(c.getBoolean("beta_reports", true, { targetingKey: "user-1", stage: "signup" })).toBe(false);
      // A key without an identity is asked for once, and remembered.
      expect(await c.evaluate("beta_reports", true, { targetingKey: "user-2" })).toMatchObject({ value: false });
      expect(c.getBoolean("beta_reports", true, { targetingKey: "user-2" })).toBe(false);
      expect(traitRequests().map((r) => r.path)).toEqual(["/v1/identities/user-1/traits", "/v1/identities/user-2/traits"]);
      expect(traitRequests()[0]!.headers["x-api-key"]).toBe(SERVER_KEY);
      expect(errors).toEqual([]);
    });

    it("answers from the context alone until a cold identity's traits arrive, then with them", async () => {
      withTraitRule();
      fake.setTraits("user-3", { stage: "onboarded" });
      const { client: c } = client({ stream: false });
      await c.start();
      expect(c.getBoolean("beta_reports", false, { targetingKey: "user-3" })).toBe(false);
      await waitFor(() => c.getBoolean("beta_reports", false, { targetingKey: "user-3" }), "the traits");
      await c.identify("user-3");
      expect(traitRequests()).toHaveLength(1);
    });

    it("drops held traits when the stream announces the identity changed", async () => {
      withTraitRule();
      fake.setTraits("user-4", { stage: "signup" });
      const { client: c } = client();
      await c.start();
      await waitFor(() => c.isStreaming, "the stream");
      await c.identify("user-4");
      expect(c.getBoolean("beta_reports", false, { targetingKey: "user-4" })).toBe(false);
      fake.setTraits("user-4", { stage: "onboarded" });
      await waitFor(() => c.getBoolean("beta_reports", false, { targetingKey: "user-4" }), "the new traits");
      expect(traitRequests()).toHaveLength(2);
      // No snapshot was downloaded again for it.
      expect(configRequests()).toHaveLength(1);
    });

    it("reads traits again after the poll interval when there is no stream", async () => {
      withTraitRule();
      fake.setTraits("user-5", { stage: "signup" }, { notify: false });
      const { client: c } = client({ stream: false, pollIntervalMs: 50 });
      await c.start();
      await c.identify("user-5");
      fake.setTraits("user-5", { stage: "onboarded" }, { notify: false });
      await sleep(80);
      await c.identify("user-5");
      expect(c.getBoolean("beta_reports", false, { targetingKey: "user-5" })).toBe(true);
    });

    it("never asks for traits when told not to", async () => {
      withTraitRule();
      fake.setTraits("user-6", { stage: "onboarded" });
      const { client: c } = client({ stream: false, traits: false });
      await c.start();
      expect(await c.evaluate("beta_reports", false, { targetingKey: "user-6" })).toMatchObject({ value: false });
      expect(traitRequests()).toHaveLength(0);
    });
  });
});
