import type { ClientStatus, EnsignError, FlagDetails, KeyOfType, RegisteredFlags, ValueOf } from "@ensign/sdk";
import { useCallback, useSyncExternalStore } from "react";
import { useEnsignClient } from "./context";

type Key = keyof RegisteredFlags & string;

/**
 * One flag's value, or `defaultValue` while loading and on any failure. Subscribes to this
 * flag alone: a change to another flag does not re-render the component.
 */
export function useFlag<K extends Key>(key: K, defaultValue: ValueOf<RegisteredFlags, K>): ValueOf<RegisteredFlags, K> {
  return useFlagDetails(key, defaultValue).value;
}

/** Like `useFlag`, with the variant, reason and error code. */
export function useFlagDetails<K extends Key>(key: K, defaultValue: ValueOf<RegisteredFlags, K>): FlagDetails<ValueOf<RegisteredFlags, K>> {
  const client = useEnsignClient();
  const subscribe = useCallback((onChange: () => void) => client.subscribe(key, onChange), [client, key]);
  const peek = useCallback(() => client.peek(key), [client, key]);
  // The store is the flag's stored value (a stable reference); the status decides whether it counts yet.
  useSyncExternalStore(subscribe, peek, peek);
  useClientStatus();
  return client.getDetails(key, defaultValue as never) as FlagDetails<ValueOf<RegisteredFlags, K>>;
}

/** Whether a boolean flag is on; `false` while loading and on any failure. */
export function useFeature(key: KeyOfType<RegisteredFlags, boolean>): boolean {
  return useFlag(key as Key, false as ValueOf<RegisteredFlags, Key>) === true;
}

/** Every flag's value; re-renders on any change (prefer `useFlag` in components that read a few). */
export function useFlags(): Readonly<Partial<RegisteredFlags>> {
  const client = useEnsignClient();
  const subscribe = useCallback((onChange: () => void) => client.on("change", () => onChange()), [client]);
  const getAll = useCallback(() => client.getAll() as Partial<RegisteredFlags>, [client]);
  return useSyncExternalStore(subscribe, getAll, getAll);
}

/** The loading state without Suspense. */
export interface FlagsStatus {
  status: ClientStatus;
  isLoading: boolean;
  isReady: boolean;
  isError: boolean;
  /** Why the latest load failed, when it did. */
  error: EnsignError | undefined;
}

/** `loading` until the first answer, `ready` once flags are known, `error` when the first load failed. */
export function useFlagsStatus(): FlagsStatus {
  const client = useEnsignClient();
  const status = useClientStatus();
  return { status, isLoading: status === "loading", isReady: status === "ready", isError: status === "error", error: client.lastError };
}

function useClientStatus(): ClientStatus {
  const client = useEnsignClient();
  const subscribe = useCallback((onChange: () => void) => client.on("status", () => onChange()), [client]);
  const getStatus = useCallback(() => client.status, [client]);
  return useSyncExternalStore(subscribe, getStatus, getStatus);
}
