import {
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from "@openfeature/web-sdk";
import type { RemoteClient } from "../remote-client";
import type { FlagMap } from "../types";
import { toEnsignContext, toResolution } from "./resolution";

/**
 * An OpenFeature web provider on a remote client: one bulk evaluation per context, answers
 * from memory, refreshed by the change stream.
 *
 * ```ts
 * await OpenFeature.setProviderAndWait(new EnsignWebProvider(createClient({ url, clientKey })), { targetingKey: user.id });
 * ```
 * A context attribute `contextToken` is used as the signed context token instead of sending
 * the context itself. Emits `ConfigurationChanged` with the changed flag keys.
 */
export class EnsignWebProvider implements Provider {
  readonly metadata = { name: "ensign-web" } as const;
  readonly runsOn = "client" as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #unsubscribe: (() => void)[];
  #isInitialized = false;

  constructor(readonly client: RemoteClient<FlagMap>) {
    this.#unsubscribe = [
      client.on("change", (keys) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys })),
      client.on("status", (status) => {
        if (status === "error") this.events.emit(ProviderEvents.Error, { message: "Ensign flags could not be loaded" });
        if (status === "ready" && this.#isInitialized) this.events.emit(ProviderEvents.Ready);
      }),
    ];
  }

  async initialize(context?: EvaluationContext): Promise<void> {
    await this.#adopt(context);
    await this.client.start();
    this.#isInitialized = true;
    if (this.client.status !== "ready") throw new Error("Ensign flags could not be loaded");
  }

  /** The SDK shows RECONCILING (and keeps answering from memory) until the new context's flags arrived. */
  async onContextChange(_oldContext: EvaluationContext, newContext: EvaluationContext): Promise<void> {
    await this.#adopt(newContext);
  }

  async onClose(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.client.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return toResolution(this.client.getDetails(flagKey, defaultValue)) as ResolutionDetails<boolean>;
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return toResolution(this.client.getDetails(flagKey, defaultValue)) as ResolutionDetails<string>;
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return toResolution(this.client.getDetails(flagKey, defaultValue)) as ResolutionDetails<number>;
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return toResolution(this.client.getDetails(flagKey, defaultValue as never)) as ResolutionDetails<T>;
  }

  async #adopt(context: EvaluationContext | undefined): Promise<void> {
    if (!context || Object.keys(context).length === 0) return;
    const { contextToken, ...attributes } = context;
    if (typeof contextToken === "string") return this.client.setContextToken(contextToken);
    return this.client.setContext(toEnsignContext(attributes));
  }
}
