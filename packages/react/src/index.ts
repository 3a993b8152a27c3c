/** `@ensign/react`: the provider, per-flag hooks and the `<Feature>` gate. */
export { EnsignProvider, type EnsignProviderProps } from "./provider";
export { useEnsignClient } from "./context";
export { useFeature, useFlag, useFlagDetails, useFlags, useFlagsStatus, type FlagsStatus } from "./hooks";
export { Feature, type FeatureProps } from "./feature";
