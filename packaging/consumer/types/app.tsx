// Every published entry point, used as an application would. Type-checked with
// moduleResolution nodenext and bundler and skipLibCheck off: the shipped .d.ts files must hold.
import type { CreateFlagBody } from "@ensign/contracts/flags";
import type { EvaluationContext } from "@ensign/contracts/evaluation";
import { compile, evaluate } from "@ensign/evaluator";
import { createClient, EnsignError, type FlagDetails, type RemoteClient } from "@ensign/sdk";
import { createLocalClient, type LocalClient } from "@ensign/sdk/node";
import { EnsignProvider, Feature, useFeature, useFlag, useFlagsStatus } from "@ensign/react";
import type { PortalFlags } from "./flags.js";

const client: RemoteClient = createClient({ url: "https://flags.example.com", clientKey: "ens_cli_x", context: { targetingKey: "u", tenantKey: "desert-laughs" } });
const theme: "classic" | "modern" = client.getString("checkout_theme", "classic");
const details: FlagDetails<boolean> = client.getDetails("knowledge_base_enabled", false);
const local: LocalClient = createLocalClient({ url: "https://flags.example.com", serverKey: "ens_srv_x" });
const context: EvaluationContext = { targetingKey: "u", tenantKey: "desert-laughs" };
const isOn: boolean = local.getBoolean("ai_agents_enabled", false, context);
const error = new EnsignError("NETWORK", "down");

// @ts-expect-error -- not a key of the registered map
client.getBoolean("no_such_flag", false);
// @ts-expect-error -- checkout_theme is a string flag
client.getBoolean("checkout_theme", false);

const body: CreateFlagBody = { key: "new_checkout", name: "New checkout", type: "boolean" } as CreateFlagBody;
const compiled = compile({} as Parameters<typeof compile>[0]);
const result = evaluate(compiled, "new_checkout", context, { defaultValue: false, expectedType: "boolean" });
const reason: string = result.reason;

export function Sidebar() {
  const hasAssistant: boolean = useFeature("ai_agents_enabled");
  const checkoutTheme: PortalFlags["checkout_theme"] = useFlag("checkout_theme", "classic");
  const { isLoading } = useFlagsStatus();
  // @ts-expect-error -- the default must match the flag's type
  useFlag("knowledge_base_enabled", "yes");
  return (
    <nav data-theme={checkoutTheme} aria-busy={isLoading}>
      {hasAssistant && <a href="/ai">AI Assistant</a>}
      <Feature flag="knowledge_base_enabled" fallback={null}>
        <a href="/kb">Knowledge Base</a>
      </Feature>
    </nav>
  );
}

export function App() {
  return (
    <EnsignProvider client={client}>
      <Sidebar />
    </EnsignProvider>
  );
}

export const used = [theme, details, isOn, error, body, reason];
