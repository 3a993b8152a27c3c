// A plain Node ESM script, as a user of the published packages writes one: remote evaluation
// with a client key, local evaluation with a server key, both against ENSIGN_URL.
import { createClient } from "@ensign/sdk";
import { createLocalClient } from "@ensign/sdk/node";

const { ENSIGN_URL: url, ENSIGN_CLIENT_KEY: clientKey, ENSIGN_SERVER_KEY: serverKey } = process.env;
const producers = ["arizona-comedy", "desert-laughs", "tucson-theatre-works"];
const flags = { knowledge_base_enabled: false, ai_agents_enabled: false, checkout_theme: "classic" };

const answers = { remote: {}, local: {} };

for (const tenantKey of producers) {
  const remote = createClient({ url, clientKey, context: { targetingKey: `owner@${tenantKey}`, tenantKey }, stream: false });
  await remote.start();
  answers.remote[tenantKey] = Object.fromEntries(Object.entries(flags).map(([key, fallback]) => [key, pick(remote.getDetails(key, fallback))]));
  remote.close();
}

const local = createLocalClient({ url, serverKey });
await local.start();
for (const tenantKey of producers) {
  const context = { targetingKey: `owner@${tenantKey}`, tenantKey };
  answers.local[tenantKey] = Object.fromEntries(Object.entries(flags).map(([key, fallback]) => [key, pick(local.getDetails(key, fallback, context))]));
}
answers.localStatus = local.status;
local.close();

console.log(JSON.stringify(answers));

function pick({ value, variant, reason, errorCode }) {
  return { value, variant, reason, errorCode };
}
