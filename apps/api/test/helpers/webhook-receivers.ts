import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/**
 * What webhook and e-mail deliveries arrive at in tests: a real HTTP receiver and a real SMTP
 * server, both on 127.0.0.1 (the API needs `OUTBOUND_ALLOW: "127.0.0.1"` to reach them).
 */

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/** A real HTTP receiver on 127.0.0.1: records what arrives; answers `status` (or is switched off). */
export class Receiver {
  received: Received[] = [];
  status = 200;
  delayMs = 0;
  private server: Server | undefined;
  private closing = false;
  port = 0;

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const answer = () => {
          if (this.status >= 200 && this.status < 300) this.received.push({ path: req.url ?? "/", headers: req.headers, body, json: JSON.parse(body) as Record<string, unknown> });
          res.writeHead(this.status, { "content-type": "text/plain", ...(this.closing ? { connection: "close" } : {}) }).end(this.status < 300 ? "ok" : "try later");
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /**
   * Stops listening: deliveries meet a refused connection until `start()` again (same port).
   * `graceful` lets a delivery in flight have its answer first (so it is not sent again);
   * otherwise open connections are cut.
   */
  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (options.graceful) server.closeIdleConnections();
    else server.closeAllConnections();
    await closed;
    this.server = undefined;
    this.closing = false;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }
}

export interface Mail {
  to: string[];
  subject: string;
  eventIds: string[];
  raw: string;
}

/** A real SMTP server (the `smtp-server` package) on 127.0.0.1, keeping every message. */
/** A real SMTP server on 127.0.0.1 that keeps what it receives; on `port` when given (to come back where it was). */
export async function startSmtp(port = 0) {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const unfolded = raw.replace(/\r\n[ \t]+/g, " ");
        const subject = /^Subject: (.*)$/m.exec(unfolded)?.[1]?.trim() ?? "";
        const ids = /^Ensign-Event-Id: (.*)$/im.exec(unfolded)?.[1]?.trim().split(/\s+/) ?? [];
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, eventIds: ids, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.server.address() as AddressInfo).port;
  return { mails, port: bound, url: `smtp://127.0.0.1:${bound}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
