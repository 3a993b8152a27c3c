import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CLIENT_KEY, SERVER_KEY, startFakeEnsign, type FakeEnsign } from "../test/fake-ensign";
import { portalSnapshot } from "../test/snapshots";
import { sleep, waitFor } from "../test/wait";
import { backoffDelay } from "./backoff";
import { SseParser, type SseEvent } from "./sse";
import { openChangeStream, type ChangeStream, type ChangeStreamOptions, type StreamChange } from "./stream";
import type { EnsignError } from "./types";

describe("backoffDelay", () => {
  it("grows exponentially up to the cap", () => {
    const exact = { initialMs: 100, maxMs: 2_000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, exact))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it("spreads delays with jitter between (1 - jitter) and 1 times the exponential delay", () => {
    const options = { initialMs: 1_000, jitter: 0.5 };
    expect(backoffDelay(0, { ...options, random: () => 0 })).toBe(1_000);
    expect(backoffDelay(0, { ...options, random: () => 0.999999 })).toBe(500);
    const samples = Array.from({ length: 200 }, () => backoffDelay(2, options));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4_000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });
});

describe("SseParser", () => {
  const parse = (chunks: string[]) => {
    const events: SseEvent[] = [];
    const comments: string[] = [];
    const parser = new SseParser({ onEvent: (e) => events.push(e), onComment: (c) => comments.push(c) });
    for (const chunk of chunks) parser.feed(chunk);
    return { events, comments };
  };

  it("reads events split anywhere across chunks, with CRLF or LF", () => {
    const text = 'event: change\r\nid: 7\r\ndata: {"environment":"production",\r\ndata: "version":7}\r\n\r\n: ping\n\ndata: plain\n\n';
    const whole = parse([text]);
    for (let cut = 1; cut < text.length; cut++) expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    expect(whole.events).toEqual([
      { event: "change", id: "7", data: '{"environment":"production",\n"version":7}', retry: undefined },
      { event: "message", id: "7", data: "plain", retry: undefined },
    ]);
    expect(whole.comments).toEqual(["ping"]);
  });

  it("ignores events without data and unknown fields", () => {
    expect(parse(["event: change\n\nfoo: bar\ndata: x\n\n"]).events).toEqual([{ event: "message", id: undefined, data: "x", retry: undefined }]);
  });
});

describe("openChangeStream", () => {
  let fake: FakeEnsign;
  let stream: ChangeStream | undefined;
  beforeEach(async () => {
    fake = await startFakeEnsign(portalSnapshot());
  });
  afterEach(async () => {
    stream?.close();
    await fake.close();
  });

  function open(overrides: Partial<ChangeStreamOptions> = {}) {
    const log = { opens: 0, versions: [] as number[], errors: [] as EnsignError[] };
    stream = openChangeStream({
      baseUrl: fake.url,
      credentials: async () => ({ headers: { "x-api-key": CLIENT_KEY }, query: {} }),
      transport: "fetch",
      fetch: globalThis.fetch,
      backoff: { initialMs: 50, maxMs: 1_000, jitter: 0 },
      heartbeatTimeoutMs: 5_000,
      onOpen: () => log.opens++,
      onChange: (event) => log.versions.push(event.version),
      onError: (error) => log.errors.push(error),
      ...overrides,
    });
    return log;
  }
  const connections = () => fake.requests.filter((r) => r.path === "/v1/stream");

  it("delivers change events and resumes with Last-Event-ID after the connection drops", async () => {
    const log = open();
    await waitFor(() => fake.streams === 1, "the stream");
    fake.publish(() => {});
    await waitFor(() => log.versions.length === 1, "the change event");
    fake.publish(() => {}, { notify: false }); // version 3 happens while the client is away
    fake.dropStreams();
    await waitFor(() => log.versions.length === 2, "the resumed change");
    expect(log.versions).toEqual([2, 3]);
    expect(connections()[1]!.headers["last-event-id"]).toBe("2");
    expect(log.opens).toBe(2);
  });

  it("hands on a change's delta as it came, and none when the event has none", async () => {
    const changes: StreamChange[] = [];
    open({ credentials: async () => ({ headers: { "x-api-key": SERVER_KEY }, query: {} }), onChange: (event) => changes.push(event) });
    await waitFor(() => fake.streams === 1, "the stream");
    fake.publish(() => {}, { delta: { fromVersion: 1, flags: "not checked here" } });
    fake.publish(() => {});
    await waitFor(() => changes.length === 2, "the change events");
    expect(changes).toEqual([
      { environment: "production", version: 2, delta: { fromVersion: 1, flags: "not checked here" } },
      { environment: "production", version: 3 },
    ]);
  });

  it("reports each refused attempt and recovers when the server does", async () => {
    fake.streamStatus = 503;
    const log = open();
    await waitFor(() => connections().length >= 3, "three attempts");
    expect(log.errors.length).toBeGreaterThanOrEqual(2);
    expect(log.errors.every((e) => e.code === "STREAM" && e.details.status === 503)).toBe(true);
    fake.streamStatus = undefined;
    await waitFor(() => log.opens === 1, "the recovery");
  });

  it("waits longer after each failed attempt and starts over after a success", async () => {
    fake.streamStatus = 503;
    // The delays the stream asks for before each reconnection: its timers that call `connect`.
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const stamps: number[] = [];
    try {
      const log = open({
        fetch: (input, init) => {
          stamps.push(Date.now());
          return globalThis.fetch(input, init);
        },
      });
      const reconnections = () => setTimeoutSpy.mock.calls.filter(([callback]) => callback.name === "connect").map(([, ms]) => ms);
      await waitFor(() => stamps.length >= 5, "five attempts");
      expect(reconnections().slice(0, 4)).toEqual([50, 100, 200, 400]);
      // Each attempt waited at least its delay (a loaded machine only makes the gaps longer).
      const gaps = stamps.slice(1, 5).map((t, i) => t - stamps[i]!);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(50 * 2 ** i - 5));
      fake.streamStatus = undefined;
      await waitFor(() => log.opens === 1, "the recovery");
      const before = reconnections().length;
      fake.dropStreams();
      await waitFor(() => log.opens === 2, "the reconnection");
      // After a success the first delay is the initial one again.
      expect(reconnections()[before]).toBe(50);
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it("reconnects when not even a heartbeat arrives in time, and stays while pings do", async () => {
    // Pings every 50 ms for three heartbeat timeouts: only a stall of nearly a second would look like silence.
    const log = open({ heartbeatTimeoutMs: 1_000 });
    await waitFor(() => log.opens === 1, "the stream");
    const pinger = setInterval(() => fake.ping(), 50);
    await sleep(3_000);
    clearInterval(pinger);
    expect(log.opens).toBe(1);
    await waitFor(() => log.opens === 2, "a reconnection after silence");
  });

  it("stops for good on close", async () => {
    const log = open();
    await waitFor(() => log.opens === 1, "the stream");
    stream!.close();
    fake.dropStreams();
    await sleep(200);
    expect(connections()).toHaveLength(1);
    expect(stream!.isConnected).toBe(false);
  });
});
