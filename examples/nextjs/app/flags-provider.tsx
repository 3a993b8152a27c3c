"use client";

import { createClient, type EvaluationContext, type FlagMap } from "@ensign/sdk";
import { EnsignProvider } from "@ensign/react";
import { useState, type ReactNode } from "react";

interface FlagsProviderProps {
  url: string;
  clientKey: string;
  context: EvaluationContext;
  /** The values the server rendered with. */
  bootstrap: Partial<FlagMap>;
  children: ReactNode;
}

/** The browser's client, created once per page load and started after hydration by the provider. */
export function FlagsProvider({ url, clientKey, context, bootstrap, children }: FlagsProviderProps) {
  const [client] = useState(() => createClient({ url, clientKey, context, bootstrap }));
  return (
    <EnsignProvider client={client} closeOnUnmount>
      {children}
    </EnsignProvider>
  );
}
