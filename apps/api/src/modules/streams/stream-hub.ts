import type { CompiledSnapshot } from "@ensign/evaluator";
import { AppError } from "../../infra/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { EnvironmentChange, SnapshotDelta } from "../../infra/changes";
import type { TraitsCache } from "../identities/traits-cache";
import type { SnapshotStore } from "../snapshots/snapshot-store";
import type { VersionWatcher } from "../snapshots/version-watcher";

export interface SseClient {
  send(chunk: string): void;
  close(): void;
  /** `ofrep`: unnamed `refetchEvaluation` messages, as OFREP web providers expect them. */
  format?: "ensign" | "ofrep";
  /** Set for server keys' streams: only they hear which identities changed (keys may be e-mail addresses). */
  isServer?: boolean;
}

/**
 * One `change` event: `data` per `StreamChangeEvent`, the snapshot version as the event id.
 * `delta` (server keys' SDK streams only: it holds rules) lets a client holding exactly
 * `delta.fromVersion` replace those flags instead of downloading the snapshot.
 */
export const changeEvent = (environment: string, version: number, withId = true, delta?: SnapshotDelta) =>
  `${withId ? `id: ${version}\n` : ""}event: change\ndata: ${JSON.stringify(delta ? { environment, version, delta } : { environment, version })}\n\n`;

/** The same change for OFREP providers (ADR 0008 of the protocol): a `message` asking for a bulk refetch. */
export const refetchEvent = (version: number) =>
  `id: ${version}\ndata: ${JSON.stringify({ type: "refetchEvaluation", etag: `"${version}"`, lastModified: Math.floor(Date.now() / 1000) })}\n\n`;

/** An identity's stored traits changed: server SDKs that evaluate locally drop what they hold for it. */
export const identityEvent = (environment: string, key: string) => `event: identity\ndata: ${JSON.stringify({ environment, key })}\n\n`;

/** The last event of an SDK stream whose environment was deleted; the stream ends after it. */
export const deletedEvent = (environment: string) => `event: environment-deleted\ndata: ${JSON.stringify({ environment })}\n\n`;

export const eventFor = (client: SseClient, environment: string, version: number) =>
  client.format === "ofrep" ? refetchEvent(version) : changeEvent(environment, version);

/**
 * Opens a Server-Sent Events response on the raw connection, keeping the headers hooks already
 * set (CORS). The returned client's `close` ends it; `onClose` runs when the caller goes away.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, onClose: () => void): SseClient {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    // Tell nginx and similar proxies not to buffer the stream.
    "x-accel-buffering": "no",
  });
  raw.write("retry: 3000\n\n");
  let isOpen = true;
  const client: SseClient = {
    send(chunk) {
      if (isOpen) raw.write(chunk);
    },
    close() {
      if (!isOpen) return;
      isOpen = false;
      raw.end();
    },
  };
  request.raw.on("close", () => {
    isOpen = false;
    onClose();
  });
  return client;
}

/**
 * Fans snapshot changes out to SSE subscribers. SDK streams (`/v1/stream`) hear of an
 * environment once this replica has swapped in its new snapshot, so a refetch right after the
 * event already sees it; when the snapshot was made from a delta, server keys' streams get the
 * delta with the change (client keys never see rules). When the environment is deleted they get
 * `environment-deleted` (OFREP streams, which know no such event, just end) and are closed:
 * their keys are revoked with it, so a reconnection is refused. Admin streams hear of every version change of their
 * workspace's environments as soon as the replica learns it. Server keys' SDK streams also hear
 * `identity` events when an identity's traits change (traits are not in the snapshot). An
 * environment with open SDK streams stays in this replica's memory. All connections share one
 * heartbeat timer.
 */
export function createStreamHub(deps: {
  store: SnapshotStore<CompiledSnapshot>;
  watcher: VersionWatcher;
  traits?: TraitsCache;
  heartbeatMs?: number;
  /** Most streams one key or user (`perKey`) and one client address (`perAddress`) may hold open here. */
  limits?: { perKey: number; perAddress: number };
}) {
  const limits = deps.limits ?? { perKey: 10_000, perAddress: 100 };
  const openByOwner = new Map<string, number>();
  const openByAddress = new Map<string, number>();
  const byEnvironment = new Map<string, Set<SseClient>>();
  const byWorkspace = new Map<string, Map<SseClient, Map<string, number>>>();
  const all = new Set<SseClient>();

  deps.store.onSwap((entry) => {
    const clients = byEnvironment.get(entry.meta.environmentId);
    if (!clients) return;
    const { environmentKey } = entry.meta;
    // Serialized once per swap, and only when a server key's stream is there to hear it.
    let withDelta: string | undefined;
    // SDKs replace flags only: a delta that also changed tenants reaches them as a plain change.
    const sdkDelta = entry.delta && !entry.delta.tenants?.length ? entry.delta : undefined;
    for (const client of clients) {
      if (sdkDelta && client.isServer && client.format !== "ofrep") client.send((withDelta ??= changeEvent(environmentKey, entry.version, true, sdkDelta)));
      else client.send(eventFor(client, environmentKey, entry.version));
    }
  });

  deps.store.onDrop(({ environmentId, environmentKey }) => {
    for (const client of byEnvironment.get(environmentId) ?? []) {
      if (client.format !== "ofrep") client.send(deletedEvent(environmentKey));
      client.close();
      all.delete(client);
    }
    byEnvironment.delete(environmentId);
  });

  deps.traits?.onChange((change) => {
    const clients = byEnvironment.get(change.environmentId);
    if (!clients) return;
    const event = identityEvent(change.environmentKey, change.key);
    for (const client of clients) if (client.isServer && client.format !== "ofrep") client.send(event);
  });

  deps.watcher.onChange((change: EnvironmentChange) => {
    for (const [client, sent] of byWorkspace.get(change.workspaceId) ?? []) {
      if ((sent.get(change.environmentId) ?? 0) >= change.version) continue;
      sent.set(change.environmentId, change.version);
      client.send(changeEvent(change.environmentKey, change.version, false));
    }
  });

  const heartbeat = setInterval(() => {
    for (const client of all) client.send(": ping\n\n");
  }, deps.heartbeatMs ?? 15_000);
  heartbeat.unref();

  function join<K>(map: Map<K, Set<SseClient>>, key: K, client: SseClient): () => void {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(client);
    all.add(client);
    return () => {
      set.delete(client);
      if (set.size === 0) map.delete(key);
      all.delete(client);
    };
  }

  const decrement = (map: Map<string, number>, key: string) => {
    const left = (map.get(key) ?? 1) - 1;
    if (left === 0) map.delete(key);
    else map.set(key, left);
  };

  return {
    /**
     * Takes a slot for one more stream of `owner` (an API key or a user) from `address`, before
     * the stream opens; past either cap it throws 429 `RATE_LIMITED` naming the cap. The returned
     * function gives the slot back (once) when the stream ends.
     */
    admit(owner: string, address: string): () => void {
      if ((openByOwner.get(owner) ?? 0) >= limits.perKey) {
        throw new AppError("RATE_LIMITED", `Too many open streams for this credential (at most ${limits.perKey} per replica, STREAM_MAX_PER_KEY).`);
      }
      if ((openByAddress.get(address) ?? 0) >= limits.perAddress) {
        throw new AppError("RATE_LIMITED", `Too many open streams from this address (at most ${limits.perAddress} per replica, STREAM_MAX_PER_ADDRESS).`);
      }
      openByOwner.set(owner, (openByOwner.get(owner) ?? 0) + 1);
      openByAddress.set(address, (openByAddress.get(address) ?? 0) + 1);
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        decrement(openByOwner, owner);
        decrement(openByAddress, address);
      };
    },

    subscribeEnvironment(environmentId: string, client: SseClient): () => void {
      const unpin = deps.store.pin(environmentId);
      const leave = join(byEnvironment, environmentId, client);
      return () => {
        leave();
        unpin();
      };
    },

    /** `environments`: the workspace's environments and the versions the client starts from (polled while subscribed). */
    subscribeWorkspace(workspaceId: string, environments: { id: string; key: string; version: number }[], client: SseClient): () => void {
      let clients = byWorkspace.get(workspaceId);
      if (!clients) byWorkspace.set(workspaceId, (clients = new Map()));
      clients.set(client, new Map(environments.map((env) => [env.id, env.version])));
      all.add(client);
      const releases = environments.map((env) =>
        deps.watcher.track(env.id, { workspaceId, environmentKey: env.key, version: env.version }),
      );
      return () => {
        clients.delete(client);
        if (clients.size === 0) byWorkspace.delete(workspaceId);
        all.delete(client);
        for (const release of releases) release();
      };
    },

    connections: () => all.size,

    close(): void {
      clearInterval(heartbeat);
      for (const client of all) client.close();
      all.clear();
    },
  };
}

export type StreamHub = ReturnType<typeof createStreamHub>;
