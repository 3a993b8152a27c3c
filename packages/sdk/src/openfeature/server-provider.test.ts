import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/server-sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SERVER_KEY, startFakeEnsign, type FakeEnsign } from "../../test/fake-ensign";
import { portalSnapshot, setTenantFeature } from "../../test/snapshots";
import { waitFor } from "../../test/wait";
import { createLocalClient } from "../node/local-client";
import { EnsignServerProvider } from "./server-provider";

let fake: FakeEnsign;
beforeEach(async () => {
  fake = await startFakeEnsign(portalSnapshot());
});
afterEach(async () => {
  await OpenFeature.close();
  await fake.close();
});

const provider = () => new EnsignServerProvider(createLocalClient({ url: fake.url, serverKey: SERVER_KEY, backoff: { initialMs: 20, jitter: 0 }, pollIntervalMs: 50 }));
const producer = (tenantKey: string) => ({ targetingKey: `owner@${tenantKey}`, tenantKey });

describe("EnsignServerProvider with @openfeature/server-sdk", () => {
  it("resolves values with variant, reason and error codes through the OpenFeature client", async () => {
    await OpenFeature.setProviderAndWait(provider());
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails("ai_agents_enabled", false, producer("tucson-theatre-works"))).toMatchObject({
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
      flagMetadata: { detail: "TENANT_OVERRIDE" },
    });
    expect(await client.getBooleanValue("ai_agents_enabled", true, producer("arizona-comedy"))).toBe(false);
    expect(await client.getStringValue("checkout_theme", "x", { targetingKey: "user-7" })).toBe("modern");
    expect(await client.getNumberValue("max_seats", 0, { targetingKey: "user-1" })).toBe(500);
    expect(await client.getObjectValue("banner", {})).toEqual({ text: "Half price", color: "red" });
    expect(await client.getBooleanDetails("nope", true)).toMatchObject({ value: true, reason: "ERROR", errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(await client.getNumberDetails("checkout_theme", 7)).toMatchObject({ value: 7, errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it("emits ConfigurationChanged with the changed keys when the stream reports a change", async () => {
    await OpenFeature.setProviderAndWait(provider());
    const changed: (string[] | undefined)[] = [];
    OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, (event) => changed.push(event?.flagsChanged as string[] | undefined));
    await waitFor(() => fake.streams === 1, "the stream");
    fake.publish((s) => setTenantFeature(s, "ai_agents_enabled", "arizona-comedy", true));
    await waitFor(() => changed.length === 1, "the event");
    expect(changed).toEqual([["ai_agents_enabled"]]);
    expect(await OpenFeature.getClient().getBooleanValue("ai_agents_enabled", false, producer("arizona-comedy"))).toBe(true);
  });

  it("starts in ERROR when Ensign is down, serves defaults, and becomes ready when it is back", async () => {
    fake.failWith = 503;
    fake.streamStatus = 503;
    await expect(OpenFeature.setProviderAndWait(provider())).rejects.toThrow(/could not be loaded/);
    const client = OpenFeature.getClient();
    const ready: unknown[] = [];
    client.addHandler(ProviderEvents.Ready, (event) => ready.push(event));
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(await client.getBooleanValue("ai_agents_enabled", false, producer("tucson-theatre-works"))).toBe(false);
    fake.failWith = undefined;
    await waitFor(() => ready.length === 1, "the Ready event");
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(await client.getBooleanValue("ai_agents_enabled", false, producer("tucson-theatre-works"))).toBe(true);
  });
});
