import { request, type APIRequestContext } from "@playwright/test";
import { baseURL as apiBaseURL } from "./run";
import { USERS, type RoleName } from "./users";

/**
 * A request context signed in as `role` through the API, with a session of its own (the
 * browser states are left alone): for setting up what a test needs and checking what it did.
 */
export async function apiAs(role: RoleName): Promise<APIRequestContext> {
  const baseURL = apiBaseURL();
  const login = await request.newContext({ baseURL });
  const res = await login.post("/v1/auth/login", { data: USERS[role] });
  if (!res.ok()) throw new Error(`signing in as ${role} failed: ${res.status()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  await login.dispose();
  return request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${accessToken}` } });
}

/** The current version of a flag's state, for If-Match. */
export async function stateVersion(api: APIRequestContext, ws: string, flag: string, env: string): Promise<number> {
  const res = await api.get(`/v1/workspaces/${ws}/flags/${flag}/environments/${env}`);
  if (!res.ok()) throw new Error(`reading ${flag} failed: ${res.status()}`);
  return ((await res.json()) as { version: number }).version;
}
