import type { ServerResponse } from "node:http";

/**
 * Buffers for large evaluation bodies (bulk answers of hundreds of flags), used again once an
 * answer has been handed to the kernel. A fresh buffer of 100 kB for every request costs more
 * than writing it: its pages fault in as the body is copied into them, and the garbage collector
 * frees them again. Bodies below `SMALLEST` come from Node's allocator as usual.
 */
const SMALLEST = 16 * 1024;
const LARGEST = 4 * 1024 * 1024;
/** Buffers kept per size (a power of two): enough for the answers one replica writes at once. */
const KEPT_PER_SIZE = 8;

const free = new Map<number, ArrayBuffer[]>();
/** The buffers lent out, so only those come back (a body made elsewhere is never taken in). */
const lent = new WeakSet<ArrayBuffer>();

const sizeFor = (length: number) => 2 ** Math.ceil(Math.log2(length));

/** A buffer of `length` bytes to write a body into; its contents are not cleared. */
export function bodyBuffer(length: number): Buffer {
  if (length < SMALLEST || length > LARGEST) return Buffer.allocUnsafe(length);
  const size = sizeFor(length);
  const memory = free.get(size)?.pop() ?? new ArrayBuffer(size);
  lent.add(memory);
  return Buffer.from(memory, 0, length);
}

/**
 * Takes `body`'s memory back once `response` has handed it to the kernel (`finish`). A response
 * that closes without finishing keeps it: a write still queued could read it.
 */
export function recycleWhenSent(response: ServerResponse, body: Buffer): void {
  const memory = body.buffer;
  if (!(memory instanceof ArrayBuffer) || !lent.has(memory)) return;
  response.once("finish", () => {
    lent.delete(memory);
    let kept = free.get(memory.byteLength);
    if (kept === undefined) free.set(memory.byteLength, (kept = []));
    if (kept.length < KEPT_PER_SIZE) kept.push(memory);
  });
}
