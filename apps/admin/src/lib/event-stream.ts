import { getAccessToken, refreshSession } from "./api-client";

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Incremental Server-Sent Events parser: feed it chunks of text as they arrive, it calls back
 * once per complete event. Comments (`: ping`) are skipped.
 */
export function createSseParser(onEvent: (event: ServerSentEvent) => void) {
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  let id: string | undefined;
  const dispatch = () => {
    if (data.length) onEvent({ event, data: data.join("\n"), ...(id === undefined ? {} : { id }) });
    event = "message";
    data = [];
  };
  return (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        dispatch();
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
  };
}

/**
 * Keeps a Server-Sent Events stream open with the session's access token in the Authorization
 * header (never in the URL), reconnecting with backoff; a 401 refreshes the session first.
 * Returns a function that closes it.
 */
export function openEventStream(url: string, handlers: { onEvent(event: ServerSentEvent): void; onOpen?(): void; onUnavailable?(status: number): void }): () => void {
  const controller = new AbortController();
  let attempt = 0;
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const token = getAccessToken();
        const res = await fetch(url, {
          headers: { accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
          credentials: "same-origin",
          signal: controller.signal,
        });
        if (res.status === 401 && (await refreshSession())) continue;
        if (res.status === 404 || res.status === 403) {
          handlers.onUnavailable?.(res.status);
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        attempt = 0;
        handlers.onOpen?.();
        const parse = createSseParser(handlers.onEvent);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      attempt += 1;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.75 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
  void run();
  return () => controller.abort();
}
