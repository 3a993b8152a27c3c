import type { EvaluationContext, FlagDetails, FlagGetters, FlagMap } from "../types";

/** What a guard logs about a refused request (seed 003 FR-5: access attempts to disabled features). */
export interface FeatureAccessAttempt {
  feature: string;
  method: string;
  url: string;
  targetingKey?: string | undefined;
  tenantKey?: string | undefined;
  reason: FlagDetails["reason"];
  detail?: string | undefined;
  errorCode?: string | undefined;
}

/** Options shared by the Fastify and Express guards. */
export interface RequireFeatureOptions<Request> {
  /** The client that decides: a local client (server key) or a remote one. */
  client: Pick<FlagGetters<FlagMap>, "evaluate">;
  /** The context of the request's user, e.g. from your session. `undefined` refuses the request. */
  context: (request: Request) => EvaluationContext | undefined | Promise<EvaluationContext | undefined>;
  /** What a failed evaluation counts as. Default `false`: a feature that cannot be checked stays closed. */
  defaultValue?: boolean;
  /** The message of the 403 answer. */
  message?: string | ((feature: string) => string);
  /** Where refused attempts go; the framework's logger (or console) otherwise. */
  onDenied?: (attempt: FeatureAccessAttempt, request: Request) => void;
}

/** The body of the 403 answer, in the API's error shape. */
export interface FeatureDisabledBody {
  error: { code: "FEATURE_DISABLED"; message: string; details: { feature: string } };
}

/** Decides one request; never throws (a failing context callback counts as no context). */
export async function checkFeature<Request>(
  feature: string,
  options: RequireFeatureOptions<Request>,
  request: Request,
  where: { method: string; url: string },
): Promise<{ isAllowed: true } | { isAllowed: false; attempt: FeatureAccessAttempt; body: FeatureDisabledBody }> {
  const defaultValue = options.defaultValue ?? false;
  let context: EvaluationContext | undefined;
  let details: FlagDetails<boolean>;
  try {
    context = await options.context(request);
    details = context
      ? ((await options.client.evaluate(feature, defaultValue, context)) as FlagDetails<boolean>)
      : { key: feature, value: false, reason: "ERROR", errorCode: "TARGETING_KEY_MISSING" };
  } catch (error) {
    details = { key: feature, value: defaultValue, reason: "ERROR", errorCode: "GENERAL", errorMessage: String(error) };
  }
  if (details.value === true) return { isAllowed: true };
  const message = typeof options.message === "function" ? options.message(feature) : (options.message ?? `The feature "${feature}" is not enabled for this account.`);
  return {
    isAllowed: false,
    attempt: {
      feature,
      method: where.method,
      url: where.url,
      targetingKey: context?.targetingKey,
      tenantKey: context?.tenantKey,
      reason: details.reason,
      detail: details.detail,
      errorCode: details.errorCode,
    },
    body: { error: { code: "FEATURE_DISABLED", message, details: { feature } } },
  };
}
