import { CopyButton } from "../../../components/ui/copy-button";
import { formatDateTime } from "../../../lib/format";

/** A link shown once: Ensign keeps only its hash and sends no email, so it is passed on by hand. */
export function OneTimeLink({ url, expiresAt, testId }: { url: string; expiresAt: string; testId: string }) {
  return (
    <div className="space-y-3">
      <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800">
        Copy this link now and send it to them yourself. It is shown only once, works once, and expires {formatDateTime(expiresAt)}.
      </p>
      <div className="flex items-center gap-2 rounded-md border border-slate-200 bg-slate-50 p-2">
        <code className="min-w-0 flex-1 font-mono text-xs break-all text-slate-800" data-testid={testId}>{url}</code>
        <CopyButton text={url} label="Copy link" />
      </div>
    </div>
  );
}
