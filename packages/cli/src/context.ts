import { createApiClient, type ApiClient } from "./client";
import { resolveCredentials } from "./config";
import { CliError, EXIT } from "./errors";
import { createOutput, type Io, type Output } from "./output";

/** The options every command takes. */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  url?: string;
  workspace?: string;
}

export interface Context {
  io: Io;
  out: Output;
  /** The API client, from the environment or the stored login. */
  client(): Promise<ApiClient>;
  /** The workspace slug to act on; `fallback` (e.g. the apply file's) comes after the flag and the environment. */
  workspace(fallback?: string): Promise<string>;
}

export function createContext(io: Io, options: GlobalOptions): Context {
  const out = createOutput(io, { json: Boolean(options.json), quiet: options.quiet });
  let credentials: ReturnType<typeof resolveCredentials> | undefined;
  let client: ApiClient | undefined;
  const credentialsOnce = () => (credentials ??= resolveCredentials(io.env, options));

  return {
    io,
    out,
    async client() {
      if (client) return client;
      const { url, token } = await credentialsOnce();
      client = createApiClient(url, token);
      return client;
    },
    async workspace(fallback) {
      const { workspace, token } = await credentialsOnce();
      if (workspace) return workspace;
      if (fallback) return fallback;
      if (token.startsWith("ens_svc_")) {
        throw new CliError("Which workspace? A service token needs it named: pass --workspace <slug> or set ENSIGN_WORKSPACE.", EXIT.usage);
      }
      const { items } = await (await this.client()).get<{ items: { slug: string }[] }>("/v1/workspaces");
      if (items.length === 1) return items[0]!.slug;
      const slugs = items.map((w) => w.slug).join(", ");
      throw new CliError(`Which workspace? Pass --workspace <slug> or set ENSIGN_WORKSPACE${slugs ? ` (yours: ${slugs})` : ""}.`, EXIT.usage);
    },
  };
}
