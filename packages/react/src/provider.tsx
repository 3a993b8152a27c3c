import type { FlagMap, RemoteClient } from "@ensign/sdk";
import { useEffect, type ReactNode } from "react";
import { EnsignContext } from "./context";

/** Props of `<EnsignProvider>`. */
export interface EnsignProviderProps {
  /** A remote client from `createClient`; create it once, outside render (or in a `useState` initializer). */
  client: RemoteClient<FlagMap> | RemoteClient;
  /** Close the client when the provider unmounts. Default false: the application owns the client. */
  closeOnUnmount?: boolean;
  children?: ReactNode;
}

/**
 * Makes `client` available to the hooks and starts it after mount, so server renders never
 * touch the network or `window`: they render from the client's bootstrapped values.
 */
export function EnsignProvider({ client, closeOnUnmount = false, children }: EnsignProviderProps) {
  useEffect(() => {
    void client.start();
    return closeOnUnmount ? () => client.close() : undefined;
  }, [client, closeOnUnmount]);
  return <EnsignContext.Provider value={client as RemoteClient<FlagMap>}>{children}</EnsignContext.Provider>;
}
