import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";

/**
 * Where the API itself may connect when an admin names a URL (today the context-token JWKS URL):
 * never to loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
 * multicast or unspecified addresses, checked on the addresses the name resolves to, at write
 * time and again at every connection (so a name that later resolves elsewhere is still held).
 * `OUTBOUND_ALLOW` lists hosts and CIDR ranges that may be reached anyway, for on-premises
 * identity providers.
 */
export interface OutboundPolicy {
  /** Hostnames (exact, case-insensitive) allowed whatever they resolve to. */
  hosts: Set<string>;
  /** Addresses and ranges allowed although private. */
  addresses: BlockList;
}

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, "ipv6");
}

export function parseOutboundAllow(value: string | undefined): OutboundPolicy {
  const policy: OutboundPolicy = { hosts: new Set(), addresses: new BlockList() };
  for (const entry of (value ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const family = isIP(address!);
    if (family) policy.addresses.addSubnet(address!, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), family === 4 ? "ipv4" : "ipv6");
    else policy.hosts.add(entry.toLowerCase());
  }
  return policy;
}

/** Why the API may not connect to `address`, or undefined when it may. */
export function blockedAddress(address: string, policy: OutboundPolicy): string | undefined {
  let plain = address;
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address it maps.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) plain = mapped[1]!;
  const type = isIP(plain) === 4 ? "ipv4" : "ipv6";
  if (!BLOCKED.check(plain, type)) return undefined;
  if (policy.addresses.check(plain, type)) return undefined;
  return `${address} is a loopback, private or link-local address`;
}

function lookupAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

/**
 * Why `url` may not be reached, or undefined. A name that does not resolve now passes: it is
 * checked again when the connection is made.
 */
export async function outboundUrlProblem(url: string, policy: OutboundPolicy): Promise<string | undefined> {
  const { hostname } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (policy.hosts.has(host)) return undefined;
  if (isIP(host)) return blockedAddress(host, policy);
  const addresses = await lookupAll(host).catch(() => []);
  for (const { address } of addresses) {
    const problem = blockedAddress(address, policy);
    if (problem) return `${host} resolves to ${problem}`;
  }
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:http(s) that refuses names resolving to addresses the policy blocks. */
function guardedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      const allowedHost = policy.hosts.has(hostname.toLowerCase());
      const problem = allowedHost ? undefined : addresses.map((a) => blockedAddress(a.address, policy)).find(Boolean);
      if (problem) return callback(Object.assign(new Error(`refused to connect to ${hostname}: ${problem}`), { code: "EOUTBOUNDBLOCKED" }), "");
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** What a guarded request answered. */
export interface OutboundResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface OutboundRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** The most of the answer's body that is kept; the rest is read and dropped. */
  maxResponseBytes?: number;
}

/**
 * One HTTP request through the policy's guarded lookup: names resolving to blocked addresses,
 * and blocked literal addresses, are refused before any connection. Redirects are not followed.
 */
export function guardedRequest(policy: OutboundPolicy) {
  return (url: string, options: OutboundRequest = {}): Promise<OutboundResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const host = target.hostname.replace(/^\[|\]$/g, "");
      if (isIP(host) && !policy.hosts.has(host)) {
        const problem = blockedAddress(host, policy);
        if (problem) return reject(Object.assign(new Error(`refused to connect to ${host}: ${problem}`), { code: "EOUTBOUNDBLOCKED" }));
      }
      const limit = options.maxResponseBytes ?? 1_048_576;
      const request = target.protocol === "http:" ? httpRequest : httpsRequest;
      const req = request(
        target,
        { method: options.method ?? "GET", headers: options.headers ?? {}, signal: options.signal, lookup: guardedLookup(policy) as never },
        (res) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          res.on("data", (chunk: Buffer) => {
            if (kept >= limit) return;
            chunks.push(chunk.subarray(0, limit - kept));
            kept += chunk.length;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
}

/** A `fetch` for GETs of JWKS documents through the policy's guarded lookup; redirects are not followed. */
export function guardedFetch(policy: OutboundPolicy) {
  const send = guardedRequest(policy);
  return async (url: string, options: { headers?: Headers; signal?: AbortSignal }): Promise<Response> => {
    const headers = options.headers ? Object.fromEntries(options.headers.entries()) : {};
    const answer = await send(url, { method: "GET", headers, signal: options.signal, maxResponseBytes: Number.MAX_SAFE_INTEGER });
    return new Response(new Uint8Array(answer.body), { status: answer.status, headers: answer.headers as Record<string, string> });
  };
}
