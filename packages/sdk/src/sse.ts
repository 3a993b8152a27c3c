/** One Server-Sent Event as the stream delivered it. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
  retry: number | undefined;
}

/**
 * Incremental parser of the `text/event-stream` format (WHATWG HTML §9.2): feed it chunks,
 * it calls `onEvent` per dispatched event and `onComment` per `:` line (heartbeats).
 */
export class SseParser {
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #id: string | undefined;
  #retry: number | undefined;
  #sawCarriageReturn = false;

  constructor(private readonly handlers: { onEvent: (event: SseEvent) => void; onComment?: (text: string) => void }) {}

  feed(chunk: string): void {
    let text = chunk;
    // A CRLF split across two chunks: the LF belongs to the line already ended.
    if (this.#sawCarriageReturn && text.startsWith("\n")) text = text.slice(1);
    this.#sawCarriageReturn = text.endsWith("\r");
    this.#buffer += text;
    const lines = this.#buffer.split(/\r\n|\r|\n/);
    this.#buffer = lines.pop() ?? "";
    for (const line of lines) this.#line(line);
  }

  #line(line: string): void {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return this.handlers.onComment?.(line.slice(1).trimStart());
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.#id = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.#retry = Number(value);
        break;
    }
  }

  #dispatch(): void {
    if (this.#data.length === 0) {
      this.#event = "";
      return;
    }
    const event: SseEvent = { event: this.#event || "message", data: this.#data.join("\n"), id: this.#id, retry: this.#retry };
    this.#data = [];
    this.#event = "";
    this.handlers.onEvent(event);
  }
}

/** Reads an event stream body to its end, feeding the parser; rejects on a broken connection. */
export async function readEventStream(body: ReadableStream<Uint8Array>, parser: SseParser, onActivity: () => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onActivity();
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
}
