import { Compass } from "lucide-react";
import { Link } from "react-router";

export function NotFoundPage({ title = "Page not found", message = "There is nothing at this address. It may have moved, or the link may be mistyped." }: { title?: string; message?: string }) {
  return (
    <div className="flex min-h-[60vh] flex-col items-center justify-center px-6 text-center">
      <span className="mb-4 flex h-12 w-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-600">
        <Compass className="h-6 w-6" aria-hidden="true" />
      </span>
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <p className="mt-2 max-w-md text-sm text-slate-500">{message}</p>
      <Link to="/" className="mt-6 rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500">
        Go to your workspace
      </Link>
    </div>
  );
}
