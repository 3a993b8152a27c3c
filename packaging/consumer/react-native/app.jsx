// The React bindings as a React Native app uses them: rendered by react-test-renderer (React
// Native's own test renderer), in a realm with fetch and timers but no window, document,
// EventSource or Node modules. The test runs this bundle in such a realm and drives it.
import { createClient } from "@ensign/sdk";
import { EnsignProvider, Feature, useFeature, useFlagsStatus } from "@ensign/react";
import { createElement } from "react";
import { create } from "react-test-renderer";

function Menu() {
  const { status } = useFlagsStatus();
  const hasAssistant = useFeature("ai_agents_enabled");
  return createElement(
    "View",
    { status },
    hasAssistant ? createElement("Text", { key: "ai" }, "AI Assistant") : null,
    createElement(Feature, { key: "kb", flag: "knowledge_base_enabled" }, createElement("Text", null, "Knowledge Base")),
  );
}

/** Renders the menu for one producer; the test reads the tree as it changes. */
globalThis.renderMenu = ({ url, clientKey, tenantKey, pollIntervalMs }) => {
  const client = createClient({ url, clientKey, context: { targetingKey: `owner@${tenantKey}`, tenantKey }, pollIntervalMs });
  const errors = [];
  client.on("error", (error) => errors.push(`${error.code}: ${error.message}`));
  const renderer = create(createElement(EnsignProvider, { client }, createElement(Menu)));
  return {
    errors,
    tree: () => JSON.stringify(renderer.toJSON()),
    close: () => {
      renderer.unmount();
      client.close();
    },
  };
};
