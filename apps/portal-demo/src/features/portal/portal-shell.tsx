import { createClient } from "@ensign/sdk";
import { EnsignProvider, useFlagsStatus } from "@ensign/react";
import { useState } from "react";
import { api, type PortalSettings, type Producer } from "../../lib/api";
import { usePath } from "../../lib/router";
import { PageContent } from "./pages";
import { Sidebar } from "./sidebar";

interface PortalShellProps {
  producer: Producer;
  settings: PortalSettings;
  onSignOut: () => void;
}

/**
 * The signed-in portal. Its flag client evaluates with the producer's signed context token
 * (minted by this demo's backend) and follows Ensign's change stream, so a flag switched in
 * the admin shows here without a reload.
 */
export function PortalShell({ producer, settings, onSignOut }: PortalShellProps) {
  const [client] = useState(() =>
    createClient({ url: settings.ensignUrl, clientKey: settings.clientKey ?? undefined, contextToken: api.contextToken }),
  );
  const [path, navigate] = usePath();

  return (
    <EnsignProvider client={client} closeOnUnmount>
      <div className="flex min-h-screen">
        <aside className="flex w-64 flex-col gap-6 border-r border-slate-200 bg-slate-100 p-4">
          <div>
            <p className="text-xs font-semibold uppercase tracking-wide text-indigo-600">PiqueTickets</p>
            <p className="mt-1 font-semibold" data-testid="producer-name">
              {producer.name}
            </p>
          </div>
          <Sidebar path={path} onNavigate={navigate} />
          <button type="button" onClick={onSignOut} className="mt-auto rounded-md px-3 py-2 text-left text-sm text-slate-600 hover:bg-slate-200">
            Sign out
          </button>
        </aside>
        <main className="flex-1 p-8">
          <FlagsNotice />
          <PageContent path={path} />
        </main>
      </div>
    </EnsignProvider>
  );
}

function FlagsNotice() {
  const { isLoading, isError } = useFlagsStatus();
  if (isLoading) return <p className="mb-4 text-sm text-slate-500">Loading your features…</p>;
  if (!isError) return null;
  return (
    <p role="status" className="mb-4 rounded bg-amber-50 p-3 text-sm text-amber-800">
      Some features could not be checked right now; the portal shows its defaults.
    </p>
  );
}
