/** A producer one can sign in as. */
export interface Producer {
  key: string;
  name: string;
}

/** Where the browser finds Ensign. */
export interface PortalSettings {
  ensignUrl: string;
  clientKey: string | null;
}

/** A failed call to the demo backend, with the error body's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: { ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers } });
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!response.ok) throw new ApiError(response.status, body.error?.code ?? "HTTP", body.error?.message ?? `Request failed (${response.status})`);
  return body as T;
}

export const api = {
  settings: () => call<PortalSettings>("/api/config"),
  producers: () => call<{ producers: Producer[] }>("/api/producers").then((b) => b.producers),
  session: () => call<{ producer: Producer }>("/api/session").then((b) => b.producer),
  signIn: (producerKey: string) => call<{ producer: Producer }>("/api/session", { method: "POST", body: JSON.stringify({ producerKey }) }).then((b) => b.producer),
  signOut: () => call<void>("/api/session", { method: "DELETE" }),
  contextToken: () => call<{ token: string; expiresAt: string }>("/api/ensign-token", { method: "POST" }).then((b) => b.token),
  aiSuggestions: () => call<{ suggestions: string[] }>("/api/ai-assistant/suggestions").then((b) => b.suggestions),
};
