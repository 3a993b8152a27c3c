import type { CompiledFlag } from "./types";

/**
 * Replacements kept beside the shared index before they are folded into a copy of it: a copy of
 * 10,000 entries costs about a millisecond, a lookup in a few dozen replacements nothing.
 */
const FOLD_AT = 64;

/**
 * A compiled snapshot's flags by key: a Map shared between versions, plus the flags replaced or
 * added since it was made. Replacing a few flags of thousands (what a snapshot delta does)
 * costs those flags, not a copy of the whole index; once the replacements pass `FOLD_AT` (or a
 * quarter of the index) they are folded into a new Map. Iteration keeps the Map's order: a
 * replaced flag stays where it was, an added one comes after the rest. Never changed once made.
 */
export class FlagIndex implements Iterable<[string, CompiledFlag]> {
  readonly size: number;

  private constructor(
    private readonly base: ReadonlyMap<string, CompiledFlag>,
    /** Replacements and additions, in the order first made; null when there are none. */
    private readonly changed: ReadonlyMap<string, CompiledFlag> | null,
    added: number,
  ) {
    this.size = base.size + added;
  }

  /** The index of these flags, taken as they are (the map is not copied: never change it afterwards). */
  static of(flags: ReadonlyMap<string, CompiledFlag>): FlagIndex {
    return new FlagIndex(flags, null, 0);
  }

  get(key: string): CompiledFlag | undefined {
    if (this.changed !== null) {
      const flag = this.changed.get(key);
      if (flag !== undefined) return flag;
    }
    return this.base.get(key);
  }

  has(key: string): boolean {
    return this.base.has(key) || (this.changed !== null && this.changed.has(key));
  }

  /** A new index with these flags put in place of the same keys (or added); this one is unchanged. */
  with(replacements: ReadonlyMap<string, CompiledFlag>): FlagIndex {
    if (replacements.size === 0) return this;
    const changed = new Map(this.changed ?? undefined);
    for (const [key, flag] of replacements) changed.set(key, flag);
    if (changed.size > FOLD_AT || changed.size * 4 > this.base.size) {
      const folded = new Map(this.base);
      for (const [key, flag] of changed) folded.set(key, flag);
      return new FlagIndex(folded, null, 0);
    }
    let added = 0;
    for (const key of changed.keys()) if (!this.base.has(key)) added += 1;
    return new FlagIndex(this.base, changed, added);
  }

  *entries(): IterableIterator<[string, CompiledFlag]> {
    const changed = this.changed;
    for (const [key, flag] of this.base) yield [key, changed?.get(key) ?? flag];
    if (changed === null) return;
    for (const entry of changed) if (!this.base.has(entry[0])) yield entry;
  }

  *keys(): IterableIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<CompiledFlag> {
    for (const [, flag] of this.entries()) yield flag;
  }

  [Symbol.iterator](): IterableIterator<[string, CompiledFlag]> {
    return this.entries();
  }
}
