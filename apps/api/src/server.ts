import { startTracing } from "./infra/tracing";

// The server's entry point: tracing first (when configured), then the server, whose modules it
// instruments as they load.
await startTracing();
await import("./main");
