import { RELATIVE_DATE_PATTERN } from "@ensign/contracts/targeting";

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A `before`/`after` operand parsed once: an absolute instant, or an offset from `now`. */
export interface DateOperand {
  readonly ms: number;
  readonly isRelative: boolean;
}

/** Parses `now`, `now-7d`, `now+12h` or an ISO date; `undefined` when it is neither. */
export function parseDateOperand(value: string): DateOperand | undefined {
  const relative = RELATIVE_DATE_PATTERN.exec(value);
  if (relative) {
    const [, sign, amount, unit] = relative;
    if (sign === undefined || amount === undefined || unit === undefined) return { ms: 0, isRelative: true };
    const offset = Number(amount) * (UNIT_MS[unit] as number);
    return { ms: sign === "-" ? -offset : offset, isRelative: true };
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : { ms, isRelative: false };
}

/** A context date: epoch milliseconds or a string `Date.parse` reads; `NaN` otherwise. */
export function contextTime(value: unknown): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === "string") return Date.parse(value);
  return Number.NaN;
}

/** A stored expiry: `null`/absent never expires; an unreadable one is `NaN` and never applies. */
export function expiryTime(value: unknown): number {
  if (value === null || value === undefined) return Number.POSITIVE_INFINITY;
  return typeof value === "string" ? Date.parse(value) : Number.NaN;
}
