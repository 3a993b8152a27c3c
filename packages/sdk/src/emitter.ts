import type { ClientEvents } from "./types";

type Listener = (...args: never[]) => void;

/**
 * Events by name plus per-flag subscriptions (`change:<key>`), so a change to one flag wakes
 * only that flag's readers. A listener that throws is reported through `onListenerError` and
 * never breaks the client or the other listeners.
 */
export class ClientEmitter {
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  on(event: string, listener: Listener): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(event) === set) this.#listeners.delete(event);
    };
  }

  emit<E extends keyof ClientEvents>(event: E, ...args: ClientEvents[E]): void {
    this.#dispatch(event, args);
  }

  /** Emits `change` with the keys, then `change:<key>` for each of them. */
  emitChange(keys: readonly string[]): void {
    if (keys.length === 0) return;
    this.#dispatch("change", [[...keys]]);
    for (const key of keys) this.#dispatch(`change:${key}`, []);
  }

  listenerCount(event: string): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  #dispatch(event: string, args: unknown[]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        if (event === "error") continue;
        this.onListenerError(error);
      }
    }
  }
}
