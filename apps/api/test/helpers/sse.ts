import { HANG_GUARD_MS } from "./wait";

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  at: number;
}

/**
 * A Server-Sent Events reader over fetch, for tests: collects events (and comments) as they
 * arrive; `next` waits for the first one after a given index that matches.
 */
export async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended: Promise<void> = Promise.resolve();
  if (response.ok && response.body) {
    ended = (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: SseEvent = { at: performance.now() };
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) event.comment = line.slice(1).trim();
              const match = /^(id|event|data): ?(.*)$/.exec(line);
              if (match) event[match[1] as "id" | "event" | "data"] = match[2];
            }
            if (event.id || event.event || event.data || event.comment) events.push(event);
            for (const wake of waiters) wake();
          }
        }
      } catch {
        // Aborted by close().
      }
    })();
  }
  return {
    status: response.status,
    headers: response.headers,
    events,
    /** Resolves when the server ends the stream (or `close()` aborts it). */
    ended,
    async next(predicate: (event: SseEvent) => boolean, timeoutMs = HANG_GUARD_MS, from = 0): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.slice(from).find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 25);
        });
      }
    },
    close: () => controller.abort(),
  };
}
