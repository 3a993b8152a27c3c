import { createHash } from "node:crypto";
import type { Cache } from "../../infra/cache/cache";

export interface LoginThrottleOptions {
  cache: Cache;
  /** Attempts one address may make at one account per window; the other budgets derive from it. */
  perAddressAndAccount: number;
  windowMs?: number;
  now?: () => number;
}

interface Budget {
  scope: string;
  max: number;
  subject(address: string, email: string): string;
}

/**
 * Sign-in attempts, counted per fixed window in the shared cache so that every replica counts
 * together, against three budgets: one address at one account (a guesser), one account from any
 * address (a guesser spread over many addresses: 3x), and one address at any account (credential
 * stuffing: 5x, generous for offices behind one address). Addresses and emails are hashed before
 * they become cache keys. When the cache cannot be reached each replica counts in its own memory:
 * still limited, per replica.
 */
export function createLoginThrottle({ cache, perAddressAndAccount: limit, windowMs = 60_000, now = Date.now }: LoginThrottleOptions) {
  const budgets: Budget[] = [
    { scope: "address-account", max: limit, subject: (address, email) => `${address}\n${email}` },
    { scope: "account", max: limit * 3, subject: (_address, email) => email },
    { scope: "address", max: limit * 5, subject: (address) => address },
  ];
  const local = new Map<string, number>();
  let localWindow = -1;

  async function count(key: string, window: number): Promise<number> {
    try {
      return await cache.incrBy(`login-attempts:${window}:${key}`, 1, windowMs);
    } catch {
      if (window !== localWindow) {
        local.clear();
        localWindow = window;
      }
      const counted = (local.get(key) ?? 0) + 1;
      local.set(key, counted);
      return counted;
    }
  }

  return {
    /** Counts one attempt: 0 when it may go ahead, else the seconds until the window ends. */
    async attempt(address: string, email: string): Promise<number> {
      const at = now();
      const window = Math.floor(at / windowMs);
      const normalized = email.trim().toLowerCase();
      const counts = await Promise.all(
        budgets.map((budget) => count(`${budget.scope}:${createHash("sha256").update(budget.subject(address, normalized)).digest("base64url")}`, window)),
      );
      const isOver = counts.some((counted, i) => counted > budgets[i]!.max);
      return isOver ? Math.max(1, Math.ceil(((window + 1) * windowMs - at) / 1000)) : 0;
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
