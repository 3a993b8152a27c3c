/** A signed context token, or a function that fetches one (called again when the old one expired). */
export type ContextTokenInput = string | (() => string | Promise<string>);

/** Holds the current context token and mints a new one on demand. */
export interface TokenSource {
  /** Whether a new token can be asked for (the input is a function). */
  readonly isRenewable: boolean;
  /** The current token, minting the first one (or a fresh one when `renew`). */
  current(renew?: boolean): Promise<string | undefined>;
  set(next: ContextTokenInput | undefined): void;
}

export function createTokenSource(initial: ContextTokenInput | undefined): TokenSource {
  let input = initial;
  let token = typeof input === "string" ? input : undefined;
  let minting: Promise<string> | undefined;
  return {
    get isRenewable() {
      return typeof input === "function";
    },
    async current(renew = false) {
      if (typeof input !== "function") return input;
      if (!renew && token !== undefined) return token;
      // Concurrent callers (the first load and the stream) share one mint.
      if (!minting || renew) {
        const mint = input;
        const pending = Promise.resolve().then(() => mint());
        minting = pending;
        void pending.finally(() => minting === pending && (minting = undefined)).catch(() => {});
      }
      token = await minting;
      return token;
    },
    set(next) {
      input = next;
      token = typeof next === "string" ? next : undefined;
      minting = undefined;
    },
  };
}
