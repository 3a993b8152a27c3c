import { useEffect, useState } from "react";
import { api, ApiError } from "../../lib/api";

type State = { state: "loading" } | { state: "loaded"; suggestions: string[] } | { state: "refused"; message: string };

/** Calls the backend route that `requireFeature('ai_agents_enabled')` guards. */
export function AiAssistantPage() {
  const [result, setResult] = useState<State>({ state: "loading" });

  useEffect(() => {
    let isCurrent = true;
    api.aiSuggestions().then(
      (suggestions) => isCurrent && setResult({ state: "loaded", suggestions }),
      (error: unknown) => isCurrent && setResult({ state: "refused", message: error instanceof ApiError ? error.message : "The assistant could not be reached." }),
    );
    return () => {
      isCurrent = false;
    };
  }, []);

  if (result.state === "loading") return <p>Thinking…</p>;
  if (result.state === "refused") return <p role="alert" className="rounded bg-red-50 p-3 text-red-700">{result.message}</p>;
  return (
    <ul className="list-disc space-y-2 pl-6" aria-label="Suggestions">
      {result.suggestions.map((suggestion) => (
        <li key={suggestion}>{suggestion}</li>
      ))}
    </ul>
  );
}
