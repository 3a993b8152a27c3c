import type { Replica } from "./replica";

/** Talks to the replicas as an admin and as an SDK, to measure when a change made through one is served by the other. */
export function createProbe(options: { token: string; workspace: string; environment: string; flag: string; apiKey: string }) {
  const stateUrl = (replica: Replica) => `${replica.url}/v1/workspaces/${options.workspace}/flags/${options.flag}/environments/${options.environment}`;
  const auth = { authorization: `Bearer ${options.token}` };

  /** The probe flag's value as the replica serves it, or undefined when it does not answer with one. */
  async function served(replica: Replica): Promise<boolean | undefined> {
    try {
      const res = await fetch(`${replica.url}/ofrep/v1/evaluate/flags/${options.flag}`, {
        method: "POST",
        headers: { "x-api-key": options.apiKey, "content-type": "application/json" },
        body: JSON.stringify({ context: { targetingKey: "probe" } }),
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await res.json()) as { value?: unknown };
      return typeof body.value === "boolean" ? body.value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Flips the probe flag through `via`; the new value, or undefined when the write was not acknowledged. */
  async function flip(via: Replica): Promise<boolean | undefined> {
    try {
      const current = await fetch(stateUrl(via), { headers: auth, signal: AbortSignal.timeout(10_000) });
      if (!current.ok) return undefined;
      const state = (await current.json()) as { version: number; enabled: boolean };
      const res = await fetch(`${stateUrl(via)}/enabled`, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json", "if-match": `"${state.version}"` },
        body: JSON.stringify({ enabled: !state.enabled }),
        signal: AbortSignal.timeout(10_000),
      });
      return res.ok ? !state.enabled : undefined;
    } catch {
      return undefined;
    }
  }

  /** Milliseconds from a write acknowledged by `via` until `on` serves it, or undefined (write refused, or not served within `withinMs`). */
  async function propagation(via: Replica, on: Replica, withinMs: number): Promise<number | undefined> {
    const value = await flip(via);
    if (value === undefined) return undefined;
    const written = performance.now();
    while (performance.now() - written <= withinMs) {
      if ((await served(on)) === value) return performance.now() - written;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return undefined;
  }

  /**
   * Waits for full recovery: both replicas report ready, and a write through each is served by
   * the other within `withinMs` (with the replicas' routine poll far away, by the change message).
   * Returns the milliseconds it took and the last propagation times.
   */
  async function recovery(replicas: [Replica, Replica], options_: { withinMs: number; timeoutMs: number }) {
    const started = performance.now();
    const [a, b] = replicas;
    for (;;) {
      const elapsed = performance.now() - started;
      if (elapsed > options_.timeoutMs) return { ms: undefined, propagationMs: undefined };
      const ready = await Promise.all([a.readiness(), b.readiness()]);
      if (ready.every((r) => r?.status === "ready")) {
        const ab = await propagation(a, b, options_.withinMs);
        const ba = ab === undefined ? undefined : await propagation(b, a, options_.withinMs);
        if (ab !== undefined && ba !== undefined) return { ms: performance.now() - started, propagationMs: Math.max(ab, ba) };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return { served, flip, propagation, recovery };
}
