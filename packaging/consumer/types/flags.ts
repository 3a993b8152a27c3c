// A generated flag map (what `ensign-types` writes), registered so clients and hooks are typed.
export type PortalFlags = {
  knowledge_base_enabled: boolean;
  ai_agents_enabled: boolean;
  checkout_theme: "classic" | "modern";
};

declare module "@ensign/sdk" {
  interface Register {
    flags: PortalFlags;
  }
}
