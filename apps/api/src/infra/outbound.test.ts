import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { blockedAddress, guardedFetch, outboundUrlProblem, parseOutboundAllow } from "./outbound";

const none = parseOutboundAllow(undefined);

describe("the outbound policy", () => {
  it.each(["127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1"])(
    "refuses %s",
    (address) => expect(blockedAddress(address, none)).toMatch(/loopback, private or link-local/),
  );

  it.each(["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])("lets %s through", (address) => expect(blockedAddress(address, none)).toBeUndefined());

  it("lets OUTBOUND_ALLOW's ranges and hosts through", async () => {
    const policy = parseOutboundAllow(" 10.0.0.0/8, idp.internal.example ,::1");
    expect(blockedAddress("10.9.8.7", policy)).toBeUndefined();
    expect(blockedAddress("::1", policy)).toBeUndefined();
    expect(blockedAddress("192.168.0.1", policy)).toMatch(/private/);
    expect(await outboundUrlProblem("https://idp.internal.example/jwks", policy)).toBeUndefined();
  });

  it("checks the addresses a name resolves to; a name that does not resolve is left to the connection", async () => {
    expect(await outboundUrlProblem("https://localhost/jwks", none)).toMatch(/localhost resolves to .* loopback/);
    expect(await outboundUrlProblem("https://169.254.169.254/latest/meta-data", none)).toMatch(/link-local/);
    expect(await outboundUrlProblem("https://[::1]/jwks", none)).toMatch(/loopback/);
    expect(await outboundUrlProblem("https://does-not-resolve.invalid/jwks", none)).toBeUndefined();
  });
});

describe("guardedFetch", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A TCP listener on loopback that counts the connections made to it. */
  async function listener() {
    const seen = { connections: 0 };
    server = createServer((socket) => {
      seen.connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as { port: number }).port, seen };
  }

  it("never connects to a name that resolves to loopback, nor to a loopback literal", async () => {
    const { port, seen } = await listener();
    const fetchJwks = guardedFetch(none);
    await expect(fetchJwks(`https://localhost:${port}/jwks`, {})).rejects.toThrow(/refused to connect to localhost/);
    await expect(fetchJwks(`https://127.0.0.1:${port}/jwks`, {})).rejects.toThrow(/refused to connect to 127.0.0.1/);
    expect(seen.connections).toBe(0);
  });

  it("connects where OUTBOUND_ALLOW says so", async () => {
    const { port, seen } = await listener();
    // The listener is not a TLS server, so the request fails after connecting: the connection is the point.
    await expect(guardedFetch(parseOutboundAllow("127.0.0.0/8"))(`https://127.0.0.1:${port}/jwks`, {})).rejects.toThrow();
    expect(seen.connections).toBe(1);
  });
});
