/**
 * A HyperLogLog sketch of distinct strings (targeting keys): 2^12 registers, about 1.6 %
 * standard error, mergeable across replicas and hours by taking each register's maximum.
 * Small sketches stay sparse (only the registers set), so a flag seen by a handful of users
 * costs a few bytes, in memory and in `flag_stat_buckets.unique_sketch`.
 */
const P = 12;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);
const SPARSE_LIMIT = 512;
const SPARSE = 1;
const DENSE = 2;

/** FNV-1a over UTF-16 code units, then murmur3's finalizer for avalanche: no allocation. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class HyperLogLog {
  private sparse: Map<number, number> | null = new Map();
  private dense: Uint8Array | null = null;
  /** The hash added last: the same key again (a bulk evaluation, a polling client) changes nothing. */
  private lastHash = -1;

  add(text: string): void {
    this.addHash(hash32(text));
  }

  /** Adds a string by its `hash32`: for one key counted in many sketches, hashed once. */
  addHash(h: number): void {
    if (h === this.lastHash) return;
    this.lastHash = h;
    const index = h >>> (32 - P);
    const rest = (h << P) >>> 0;
    const rank = rest === 0 ? 32 - P + 1 : Math.clz32(rest) + 1;
    this.set(index, rank);
  }

  private set(index: number, rank: number): void {
    if (this.dense) {
      if (rank > this.dense[index]!) this.dense[index] = rank;
      return;
    }
    const sparse = this.sparse!;
    if (rank > (sparse.get(index) ?? 0)) sparse.set(index, rank);
    if (sparse.size > SPARSE_LIMIT) this.densify();
  }

  private densify(): void {
    const dense = new Uint8Array(M);
    for (const [index, rank] of this.sparse!) dense[index] = rank;
    this.dense = dense;
    this.sparse = null;
  }

  merge(other: HyperLogLog): this {
    other.forEachRegister((index, rank) => this.set(index, rank));
    return this;
  }

  private forEachRegister(fn: (index: number, rank: number) => void): void {
    if (this.dense) {
      for (let i = 0; i < M; i++) if (this.dense[i]) fn(i, this.dense[i]!);
    } else {
      for (const [index, rank] of this.sparse!) fn(index, rank);
    }
  }

  get isEmpty(): boolean {
    return this.dense === null && this.sparse!.size === 0;
  }

  /** The estimated number of distinct strings added. */
  count(): number {
    let sum = 0;
    let zeros = 0;
    if (this.dense) {
      for (let i = 0; i < M; i++) {
        sum += 2 ** -this.dense[i]!;
        if (this.dense[i] === 0) zeros++;
      }
    } else {
      zeros = M - this.sparse!.size;
      sum = zeros;
      for (const rank of this.sparse!.values()) sum += 2 ** -rank;
    }
    const estimate = (ALPHA * M * M) / sum;
    // Linear counting is far more accurate while many registers are still empty.
    if (estimate <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(estimate);
  }

  toBytes(): Uint8Array {
    if (this.dense) {
      const bytes = new Uint8Array(M + 1);
      bytes[0] = DENSE;
      bytes.set(this.dense, 1);
      return bytes;
    }
    const bytes = new Uint8Array(1 + this.sparse!.size * 3);
    bytes[0] = SPARSE;
    let offset = 1;
    for (const [index, rank] of this.sparse!) {
      bytes[offset++] = index >>> 8;
      bytes[offset++] = index & 0xff;
      bytes[offset++] = rank;
    }
    return bytes;
  }

  /** A sketch from `toBytes()`; unreadable bytes give an empty sketch rather than an error. */
  static fromBytes(bytes: Uint8Array | null | undefined): HyperLogLog {
    const hll = new HyperLogLog();
    if (!bytes || bytes.length === 0) return hll;
    if (bytes[0] === DENSE && bytes.length === M + 1) {
      for (let i = 0; i < M; i++) if (bytes[i + 1]) hll.set(i, bytes[i + 1]!);
    } else if (bytes[0] === SPARSE && (bytes.length - 1) % 3 === 0) {
      for (let offset = 1; offset < bytes.length; offset += 3) {
        const index = (bytes[offset]! << 8) | bytes[offset + 1]!;
        if (index < M) hll.set(index, bytes[offset + 2]!);
      }
    }
    return hll;
  }
}
