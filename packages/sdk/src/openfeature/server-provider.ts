import {
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from "@openfeature/server-sdk";
import type { LocalClient } from "../node/local-client";
import type { FlagMap } from "../types";
import { toEnsignContext, toResolution } from "./resolution";

/**
 * An OpenFeature server provider that evaluates in process with a local client:
 *
 * ```ts
 * await OpenFeature.setProviderAndWait(new EnsignServerProvider(createLocalClient({ url, serverKey })));
 * ```
 * Emits `ConfigurationChanged` with the changed flag keys, `Error` when no configuration could
 * be loaded, and `Ready` again once it could.
 */
export class EnsignServerProvider implements Provider {
  readonly metadata = { name: "ensign-server" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #unsubscribe: (() => void)[];

  constructor(readonly client: LocalClient<FlagMap>) {
    this.#unsubscribe = [
      client.on("change", (keys) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys })),
      client.on("status", (status) => {
        if (status === "error") this.events.emit(ProviderEvents.Error, { message: "Ensign configuration could not be loaded" });
        if (status === "ready" && this.#isInitialized) this.events.emit(ProviderEvents.Ready);
      }),
    ];
  }

  #isInitialized = false;

  /** Loads the configuration; rejects when it cannot (the provider then starts in ERROR and recovers on its own). */
  async initialize(): Promise<void> {
    await this.client.start();
    this.#isInitialized = true;
    if (this.client.status !== "ready") throw new Error("Ensign configuration could not be loaded");
  }

  async onClose(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.client.close();
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>> {
    const details = this.client.getDetails(flagKey, defaultValue as never, toEnsignContext(context));
    return toResolution(details) as ResolutionDetails<T>;
  }

  #resolve<T extends boolean | string | number>(flagKey: string, defaultValue: T, context: EvaluationContext): ResolutionDetails<T> {
    return toResolution(this.client.getDetails(flagKey, defaultValue as never, toEnsignContext(context))) as ResolutionDetails<T>;
  }
}
