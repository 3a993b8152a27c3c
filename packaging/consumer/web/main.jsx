// A browser portal bundled by Vite from the published packages.
import { createClient } from "@ensign/sdk";
import { EnsignProvider, Feature, useFeature } from "@ensign/react";
import { createRoot } from "react-dom/client";

const client = createClient({ url: "https://flags.example.com", clientKey: "ens_cli_x", context: { targetingKey: "u", tenantKey: "desert-laughs" } });

function Sidebar() {
  const hasAssistant = useFeature("ai_agents_enabled");
  return (
    <nav>
      {hasAssistant && <a href="/ai">AI Assistant</a>}
      <Feature flag="knowledge_base_enabled">
        <a href="/kb">Knowledge Base (bundled portal)</a>
      </Feature>
    </nav>
  );
}

createRoot(document.getElementById("root")).render(
  <EnsignProvider client={client}>
    <Sidebar />
  </EnsignProvider>,
);
