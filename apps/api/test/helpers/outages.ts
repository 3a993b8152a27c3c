import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP proxy to a real service that a test can cut and restore, to make PostgreSQL (or
 * anything) unreachable for one app without touching the machine's service. `cut()` refuses
 * connections (the host answers, the port is closed); `blackhole()` stops every byte in both
 * directions while connections still open (a network partition: nothing answers, nothing is
 * refused), until `restore()` lets the held bytes through.
 */
export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1") {
  const sockets = new Set<Socket>();
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const held = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let isBlackholed = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const join = (client: Socket) => {
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on("close", () => pairs.delete(pair));
    client.pipe(upstream).pipe(client);
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        track(client);
        if (isBlackholed) {
          // Accepted by the network, never answered.
          client.pause();
          held.add(client);
          client.on("close", () => held.delete(client));
          return;
        }
        join(client);
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    /** Refuses new connections and breaks the open ones. */
    async cut() {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    /** Holds every byte of open and new connections, answering nothing and refusing nothing. */
    blackhole() {
      isBlackholed = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    /** Ends a cut (listens again) or a blackhole (the held bytes flow on, held connections are joined). */
    async restore() {
      if (isBlackholed) {
        isBlackholed = false;
        for (const { client, upstream } of pairs) {
          client.pipe(upstream).pipe(client);
          client.resume();
          upstream.resume();
        }
        for (const client of held) {
          held.delete(client);
          join(client);
          client.resume();
        }
        return;
      }
      await listen();
    },
    close() {
      server?.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** A throwaway redis-server of this test's own, on a free port; never the machine's 6379. */
export async function startRedis(port?: number): Promise<{ port: number; url: string; stop(): Promise<void> }> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn("redis-server", ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    if (await canConnect(chosen)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
