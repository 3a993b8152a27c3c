import { describe, expect, it } from "vitest";
import type { Cache } from "../../infra/cache/cache";
import { createMemoryCache } from "../../infra/cache/memory-cache";
import { createLoginThrottle } from "./login-throttle";

const unreachable = new Proxy({} as Cache, {
  get: () => () => Promise.reject(new Error("ECONNREFUSED")),
});

describe("login throttle", () => {
  it("allows the budget per address and account, then says how long to wait until the window ends", async () => {
    let now = 120_000 + 15_000;
    const throttle = createLoginThrottle({ cache: createMemoryCache(), perAddressAndAccount: 2, now: () => now });
    expect([await throttle.attempt("10.0.0.1", "Ada@Example.test"), await throttle.attempt("10.0.0.1", "ada@example.test")]).toEqual([0, 0]);
    expect(await throttle.attempt("10.0.0.1", "ada@example.test ")).toBe(45);
    now += 45_000;
    expect(await throttle.attempt("10.0.0.1", "ada@example.test")).toBe(0);
  });

  it("keeps counting in process memory while the cache is unreachable", async () => {
    const throttle = createLoginThrottle({ cache: unreachable, perAddressAndAccount: 1, now: () => 0 });
    expect(await throttle.attempt("10.0.0.1", "ada@example.test")).toBe(0);
    expect(await throttle.attempt("10.0.0.1", "ada@example.test")).toBe(60);
    expect(await throttle.attempt("10.0.0.2", "bob@example.test")).toBe(0);
  });
});
