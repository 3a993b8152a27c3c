import { useEffect, useState } from "react";
import { PortalShell } from "./features/portal/portal-shell";
import { SignInPage } from "./features/sign-in/sign-in-page";
import { api, type PortalSettings, type Producer } from "./lib/api";

type Session = { state: "checking" } | { state: "signed-out" } | { state: "signed-in"; producer: Producer };

/** Signed in: the portal for that producer; otherwise the (fake) sign-in. */
export function App() {
  const [session, setSession] = useState<Session>({ state: "checking" });
  const [settings, setSettings] = useState<PortalSettings | null>(null);

  useEffect(() => {
    api.settings().then(setSettings, () => setSettings({ ensignUrl: "", clientKey: null }));
    api.session().then(
      (producer) => setSession({ state: "signed-in", producer }),
      () => setSession({ state: "signed-out" }),
    );
  }, []);

  if (session.state === "checking" || !settings) return <p className="p-8 text-slate-500">Loading…</p>;
  if (session.state === "signed-out") return <SignInPage onSignedIn={(producer) => setSession({ state: "signed-in", producer })} />;
  return (
    <PortalShell
      // A new producer gets a fresh flag client: nothing of the previous one's flags survives.
      key={session.producer.key}
      producer={session.producer}
      settings={settings}
      onSignOut={() => void api.signOut().then(() => setSession({ state: "signed-out" }))}
    />
  );
}
