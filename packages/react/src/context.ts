import type { FlagMap, RemoteClient } from "@ensign/sdk";
import { createContext, useContext } from "react";

/** The client the hooks read; set by `<EnsignProvider>`. */
export const EnsignContext = createContext<RemoteClient<FlagMap> | null>(null);

/** The provider's client; throws (a programming error, not a runtime failure) outside `<EnsignProvider>`. */
export function useEnsignClient(): RemoteClient<FlagMap> {
  const client = useContext(EnsignContext);
  if (!client) throw new Error("useFlag and friends must be used inside <EnsignProvider>");
  return client;
}
