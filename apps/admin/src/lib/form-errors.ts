import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { ApiError, errorMessage } from "./api-client";

/**
 * Puts an API refusal into a form: each field the 400 names gets its message, anything else
 * (a 409, a 403, a field the form does not have) becomes the form's root error.
 */
export function applyApiErrors<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly string[], options: { conflictField?: string } = {}) {
  if (error instanceof ApiError) {
    const issues = Object.entries(error.fieldIssues);
    const known = issues.filter(([path]) => fields.includes(path.split(".")[0]!));
    for (const [path, message] of known) setError(path as Path<T>, { type: "server", message });
    if (known.length > 0 && known.length === issues.length) return;
    const conflictField = options.conflictField ?? "key";
    if (error.code === "ALREADY_EXISTS" && fields.includes(conflictField)) {
      setError(conflictField as Path<T>, { type: "server", message: error.message });
      return;
    }
  }
  setError("root" as Path<T>, { type: "server", message: errorMessage(error) });
}
