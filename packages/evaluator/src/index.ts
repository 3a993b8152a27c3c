export { compile } from "./compile";
export { evaluate, evaluateAll, flagKeys } from "./evaluate";
export { impact, layerContexts, tenantContexts, withFlag, withFlags, withTenants, type ImpactChange, type ImpactOutcome, type ImpactReport } from "./impact";
export { splitBucket } from "./split-bucket";
export { MAX_PREREQUISITE_DEPTH } from "./decide";
export type { CompileIssue, CompileOptions, CompiledSnapshot, EvaluateAllOptions, EvaluateOptions } from "./types";
export type { FlagIndex } from "./flag-index";
