import { describe, expect, it } from "vitest";
import { createSseParser, type ServerSentEvent } from "./event-stream";

describe("createSseParser", () => {
  it("assembles events split across chunks and skips comments", () => {
    const events: ServerSentEvent[] = [];
    const feed = createSseParser((e) => events.push(e));
    feed(": ping\n\nevent: cha");
    feed('nge\nid: 7\ndata: {"environment":"production",');
    feed('"version":7}\n\n');
    feed("data: plain\r\n\r\n");
    expect(events).toEqual([
      { event: "change", id: "7", data: '{"environment":"production","version":7}' },
      { event: "message", id: "7", data: "plain" },
    ]);
  });

  it("joins multi-line data and waits for the blank line", () => {
    const events: ServerSentEvent[] = [];
    const feed = createSseParser((e) => events.push(e));
    feed("data: one\ndata: two\n");
    expect(events).toHaveLength(0);
    feed("\n");
    expect(events).toEqual([{ event: "message", data: "one\ntwo" }]);
  });
});
