/**
 * The credential headers of `packages/contracts/src/portal.ts`, repeated here because importing
 * values from the contracts would pull their schema library into browser bundles (a test keeps
 * the two in step).
 */
export const API_KEY_HEADER = "x-api-key";
export const CONTEXT_TOKEN_HEADER = "x-ensign-context";
