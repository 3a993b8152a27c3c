/**
 * The HTTP bench's baseline: a bare Fastify route returning a fixed object, started exactly
 * like the API (node + tsx, its own process), so the ratio measures what Ensign adds.
 */
import Fastify from "fastify";

const app = Fastify({ logger: false });
const answer = { key: "knowledge_base_enabled", value: true, reason: "STATIC", variant: "on" };
app.get("/bare", async () => answer);
// For reference only: the same with a JSON body to read and parse, as every OFREP request has.
app.post("/bare", async () => answer);
await app.listen({ host: "127.0.0.1", port: Number(process.env.PORT ?? 0) });
console.log(`bare listening on ${(app.server.address() as { port: number }).port}`);
