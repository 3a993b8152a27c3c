import type { ErrorCode, FieldIssue } from "@ensign/contracts/common";

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  FEATURE_LOCKED: 403,
  FEATURE_DISABLED: 403,
  FEATURE_NOT_MANAGEABLE: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_EXISTS: 409,
  MODULE_DISABLED: 409,
  DEPENDENCY_NOT_MET: 409,
  HAS_DEPENDANTS: 409,
  PREREQUISITE_CYCLE: 409,
  ROLE_CYCLE: 409,
  FLAG_DEPRECATED: 409,
  VERSION_MISMATCH: 412,
  /** An invitation or password-reset link past its expiry, already used, or revoked. */
  LINK_EXPIRED: 410,
  LINK_USED: 410,
  LINK_REVOKED: 410,
  PAYLOAD_TOO_LARGE: 413,
  LIMIT_EXCEEDED: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PRECONDITION_REQUIRED: 428,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** The one error services throw; the error handler turns it into `{error: {code, message, details?}}`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} was not found.`);
export const forbidden = (message = "You are not allowed to do this.") => new AppError("FORBIDDEN", message);
export const invalid = (message: string, issues: FieldIssue[]) =>
  new AppError("VALIDATION_FAILED", message, { details: { issues } });

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
