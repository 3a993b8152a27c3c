"use client";

import { Feature, useFeature, useFlag } from "@ensign/react";

export function Sidebar() {
  const hasAssistant = useFeature("ai_agents_enabled");
  const theme = useFlag("checkout_theme", "classic");
  return (
    <nav id="sidebar" data-theme={theme}>
      <a href="/dashboard">Dashboard</a>
      {hasAssistant && <a href="/ai-assistant">AI Assistant</a>}
      <Feature flag="knowledge_base_enabled" fallback={null}>
        <a href="/knowledge-base">Knowledge Base</a>
      </Feature>
    </nav>
  );
}
