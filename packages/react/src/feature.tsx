import type { KeyOfType, RegisteredFlags } from "@ensign/sdk";
import type { ReactNode } from "react";
import { useFeature, useFlagsStatus } from "./hooks";

/** Props of `<Feature>`. */
export interface FeatureProps {
  /** A boolean flag. */
  flag: KeyOfType<RegisteredFlags, boolean>;
  /** Rendered when the flag is off or cannot be evaluated. Default nothing. */
  fallback?: ReactNode;
  /** Rendered while flags load; `fallback` when not given. */
  loading?: ReactNode;
  children?: ReactNode;
}

/** Renders `children` only when `flag` is on for the current user. */
export function Feature({ flag, fallback = null, loading, children }: FeatureProps) {
  const isOn = useFeature(flag);
  const { isLoading } = useFlagsStatus();
  if (isLoading && loading !== undefined) return <>{loading}</>;
  return <>{isOn ? children : fallback}</>;
}
