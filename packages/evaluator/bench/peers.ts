import { EventEmitter } from "node:events";
import net from "node:net";
import { FlagdCore } from "@openfeature/flagd-core";
import { Unleash, UnleashEvents } from "unleash-client";
import type { FlagdFlag, UnleashFeature } from "./shapes";

/**
 * The peers of the benchmark, built in process with no server: Unleash reads its features from
 * an in-memory repository (its bootstrap path would still try to fetch once), flagd-core from a
 * JSON configuration string.
 */

/** Any attempt to open a socket fails the run: the peers must not reach the network. */
export function forbidNetwork(): void {
  const refuse = () => {
    throw new Error("the benchmark must not do network I/O");
  };
  net.Socket.prototype.connect = refuse as never;
  globalThis.fetch = refuse as never;
}

/** Unleash's repository interface, served from memory. */
class MemoryRepository extends EventEmitter {
  private readonly toggles: Map<string, UnleashFeature>;

  constructor(features: UnleashFeature[]) {
    super();
    this.toggles = new Map(features.map((feature) => [feature.name, feature]));
  }
  getToggle(name: string) {
    return this.toggles.get(name);
  }
  getToggles() {
    return [...this.toggles.values()];
  }
  getTogglesWithSegmentData() {
    return this.getToggles();
  }
  getSegment() {
    return undefined;
  }
  stop() {}
  async start() {
    this.emit(UnleashEvents.Changed, this.getToggles());
    this.emit(UnleashEvents.Ready);
  }
}

/** A started Unleash client whose `isEnabled` answers from `features`. */
export async function startUnleash(features: UnleashFeature[]): Promise<Unleash> {
  const unleash = new Unleash({
    appName: "ensign-bench",
    url: "http://127.0.0.1:9/unused",
    disableMetrics: true,
    metricsInterval: 0,
    refreshInterval: 0,
    disableAutoStart: true,
    skipInstanceCountWarning: true,
    repository: new MemoryRepository(features) as never,
  });
  const ready = new Promise<void>((resolve) => unleash.once(UnleashEvents.Ready, () => resolve()));
  await unleash.start();
  await ready;
  return unleash;
}

/** A flagd-core evaluator loaded with `flags`. */
export function startFlagd(flags: Record<string, FlagdFlag>): FlagdCore {
  const core = new FlagdCore();
  core.setConfigurations(JSON.stringify({ flags }));
  return core;
}
