// @vitest-environment node
import { createClient } from "@ensign/sdk";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Feature } from "./feature";
import { useFlag, useFlagsStatus } from "./hooks";
import { EnsignProvider } from "./provider";

function Sidebar() {
  const { status } = useFlagsStatus();
  const hasKnowledgeBase = useFlag("knowledge_base_enabled", false);
  return (
    <nav data-status={status}>
      {hasKnowledgeBase && <a href="/kb">Knowledge Base</a>}
      <Feature flag="ai_agents_enabled">
        <a href="/ai">AI Assistant</a>
      </Feature>
    </nav>
  );
}

describe("server rendering", () => {
  it("renders bootstrapped values without window or network", () => {
    expect(typeof window).toBe("undefined");
    const requests: string[] = [];
    const client = createClient({
      url: "http://127.0.0.1:9",
      clientKey: "ens_cli_x",
      bootstrap: { environment: "production", version: 3, flags: { knowledge_base_enabled: { value: true, reason: "TARGETING_MATCH" }, ai_agents_enabled: { value: false, reason: "DEFAULT" } } },
      fetch: async (url) => (requests.push(url), new Response("{}")),
    });
    const html = renderToString(
      <EnsignProvider client={client}>
        <Sidebar />
      </EnsignProvider>,
    );
    expect(html).toContain('data-status="ready"');
    expect(html).toContain("Knowledge Base");
    expect(html).not.toContain("AI Assistant");
    expect(requests).toEqual([]);
  });

  it("renders defaults (loading) without a bootstrap", () => {
    const client = createClient({ url: "http://127.0.0.1:9", clientKey: "ens_cli_x" });
    const html = renderToString(
      <EnsignProvider client={client}>
        <Sidebar />
      </EnsignProvider>,
    );
    expect(html).toContain('data-status="loading"');
    expect(html).not.toContain("Knowledge Base");
  });
});
