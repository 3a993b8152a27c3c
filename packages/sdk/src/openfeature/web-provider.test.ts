import { ErrorCode, OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, signToken, startFakeEnsign, type FakeEnsign } from "../../test/fake-ensign";
import { portalSnapshot, setTenantFeature } from "../../test/snapshots";
import { waitFor } from "../../test/wait";
import { createClient } from "../remote-client";
import { EnsignWebProvider } from "./web-provider";

let fake: FakeEnsign;
beforeEach(async () => {
  fake = await startFakeEnsign(portalSnapshot());
});
afterEach(async () => {
  await OpenFeature.close();
  await fake.close();
});

const provider = () => new EnsignWebProvider(createClient({ url: fake.url, clientKey: CLIENT_KEY, streamTransport: "fetch" }));
const flagRequests = () => fake.requests.filter((r) => r.path.startsWith("/v1/flags"));

describe("EnsignWebProvider with @openfeature/web-sdk", () => {
  it("evaluates in bulk for the global context and answers synchronously", async () => {
    await OpenFeature.setContext({ targetingKey: "owner@tucson", tenantKey: "tucson-theatre-works" });
    await OpenFeature.setProviderAndWait(provider());
    const client = OpenFeature.getClient();
    expect(client.getBooleanDetails("ai_agents_enabled", false)).toMatchObject({ value: true, variant: "on", reason: "TARGETING_MATCH" });
    expect(client.getBooleanValue("knowledge_base_enabled", true)).toBe(false);
    expect(client.getStringValue("checkout_theme", "classic")).toBe("modern");
    expect(client.getBooleanDetails("nope", true)).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(flagRequests()).toHaveLength(1);
  });

  it("reconciles on a context change: one new bulk request for the new producer", async () => {
    await OpenFeature.setProviderAndWait(provider(), { targetingKey: "owner@arizona", tenantKey: "arizona-comedy" });
    const client = OpenFeature.getClient();
    expect(client.getBooleanValue("ai_agents_enabled", true)).toBe(false);
    const reconciling: unknown[] = [];
    OpenFeature.addHandler(ProviderEvents.Reconciling, (e) => reconciling.push(e));
    await OpenFeature.setContext({ targetingKey: "owner@tucson", tenantKey: "tucson-theatre-works" });
    expect(client.getBooleanValue("ai_agents_enabled", false)).toBe(true);
    expect(reconciling).toHaveLength(1);
    expect(flagRequests()).toHaveLength(2);
  });

  it("uses a signed context token from the context and emits ConfigurationChanged on stream changes", async () => {
    const contextToken = signToken({ sub: "owner@phoenix", tenantKey: "phoenix-improv-collective", exp: Math.floor(Date.now() / 1000) + 600 });
    await OpenFeature.setProviderAndWait(provider(), { contextToken });
    const client = OpenFeature.getClient();
    expect(client.getBooleanValue("additional_services_enabled", false)).toBe(true);
    expect(flagRequests()[0]!.headers["x-ensign-context"]).toBe(contextToken);
    const changed: (string[] | undefined)[] = [];
    OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (e) => changed.push(e?.flagsChanged as string[] | undefined));
    await waitFor(() => fake.streams === 1, "the stream");
    fake.publish((s) => setTenantFeature(s, "additional_services_enabled", "phoenix-improv-collective", false));
    await waitFor(() => changed.length === 1, "the change");
    expect(changed[0]).toEqual(["additional_services_enabled"]);
    expect(client.getBooleanValue("additional_services_enabled", true)).toBe(false);
  });
});
