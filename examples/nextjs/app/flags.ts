import "server-only";
import { createClient } from "@ensign/sdk";
import type { EvaluationContext } from "@ensign/sdk";

/** Where the browser reaches Ensign, and with which (public) client key. */
export function ensignSettings() {
  const url = process.env.ENSIGN_URL;
  const clientKey = process.env.ENSIGN_CLIENT_KEY;
  if (!url || !clientKey) throw new Error("Set ENSIGN_URL and ENSIGN_CLIENT_KEY");
  return { url, clientKey };
}

/**
 * Every flag's value for `context`, fetched on the server for this request. The page renders
 * with them and hands them to the browser's client as its bootstrap, so the first client render
 * is the server's HTML: no flash of defaults, no layout shift. If Ensign cannot be reached the
 * answer is empty and every flag renders its default, on both sides alike.
 */
export async function loadFlags(context: EvaluationContext) {
  const client = createClient({ ...ensignSettings(), context, stream: false, pollIntervalMs: 0, timeoutMs: 2_000 });
  await client.start();
  const flags = client.getAll();
  client.close();
  return flags;
}
