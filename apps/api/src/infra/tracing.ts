import { register } from "node:module";
import type { NodeSDK } from "@opentelemetry/sdk-node";

/**
 * OpenTelemetry tracing, configured the standard way, by the `OTEL_*` environment variables:
 * on when an OTLP endpoint is named (`OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or an exporter is chosen (`OTEL_TRACES_EXPORTER`), and
 * off with `OTEL_SDK_DISABLED=true`. Spans come from the http server and client (every request,
 * the OFREP fast path included), Fastify (routes and hooks), PostgreSQL (`pg`) and Redis
 * (`ioredis`). The service is `ensign` unless `OTEL_SERVICE_NAME` says otherwise.
 *
 * It must start before the modules it instruments are loaded: the server's entry point starts it,
 * then imports the rest of the server.
 */
let sdk: NodeSDK | undefined;

export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === "true") return false;
  if (env.OTEL_TRACES_EXPORTER) return env.OTEL_TRACES_EXPORTER !== "none";
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (sdk || !tracingRequested(env)) return false;
  // ES modules are instrumented through a loader hook, registered before they load.
  register("@opentelemetry/instrumentation/hook.mjs", import.meta.url);
  env.OTEL_SERVICE_NAME ??= "ensign";
  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }, { IORedisInstrumentation }, { default: FastifyOtelInstrumentation }] = await Promise.all([
    import("@opentelemetry/sdk-node"),
    import("@opentelemetry/instrumentation-http"),
    import("@opentelemetry/instrumentation-pg"),
    import("@opentelemetry/instrumentation-ioredis"),
    import("@fastify/otel"),
  ]);
  sdk = new NodeSDK({
    instrumentations: [
      // Probes and scrapes are not traffic worth a trace.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => request.url === "/healthz" || request.url === "/readyz" }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (options) => options.url === "/healthz" || options.url === "/readyz" }),
      new PgInstrumentation(),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  return true;
}

/** Sends the spans still buffered; called on shutdown. */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
