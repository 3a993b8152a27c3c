import { useEffect, useState } from "react";
import { api, type Producer } from "../../lib/api";

/** The demo's sign-in: pick a producer. A real portal signs its users in properly. */
export function SignInPage({ onSignedIn }: { onSignedIn: (producer: Producer) => void }) {
  const [producers, setProducers] = useState<Producer[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.producers().then(setProducers, (e: Error) => setError(e.message));
  }, []);

  const signIn = (key: string) => api.signIn(key).then(onSignedIn, (e: Error) => setError(e.message));

  return (
    <main className="mx-auto mt-24 max-w-md rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="text-xl font-semibold">PiqueTickets producer portal</h1>
      <p className="mt-1 text-sm text-slate-500">Demo sign-in: choose the producer you are.</p>
      {error && (
        <p role="alert" className="mt-4 rounded bg-red-50 p-3 text-sm text-red-700">
          {error}
        </p>
      )}
      <ul className="mt-6 divide-y divide-slate-100" aria-label="Producers">
        {producers.map((producer) => (
          <li key={producer.key}>
            <button type="button" onClick={() => void signIn(producer.key)} className="w-full rounded px-3 py-2 text-left hover:bg-indigo-50">
              Sign in as {producer.name}
            </button>
          </li>
        ))}
      </ul>
    </main>
  );
}
