import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import type { CurrentUser } from "@ensign/contracts/auth";
import type { WorkspaceResponse } from "@ensign/contracts/workspaces";
import { Command } from "commander";
import { createApiClient, seg } from "../client";
import { action, type ActionHost } from "../command";
import { configPath, normaliseUrl, removeStoredConfig, writeStoredConfig } from "../config";
import { CliError, EXIT, usageError } from "../errors";
import type { Io } from "../output";

export function loginCommand(host: ActionHost): Command {
  return new Command("login")
    .description("check an access token and store it, with the API address, for later commands (mode 0600)")
    .option("--token-stdin", "read the token from standard input (e.g. from a secret manager)")
    .addHelpText(
      "after",
      `
The token is a personal access token (ens_pat_..., Account > Access tokens in the admin app) or a
workspace's service token (ens_svc_..., Settings > Service tokens; name the workspace with
--workspace). Without --token-stdin it comes from ENSIGN_TOKEN, or a prompt on a terminal.
It is stored in ${"$"}XDG_CONFIG_HOME/ensign/config.json (~/.config/ensign/config.json), readable only
by you. ENSIGN_TOKEN and ENSIGN_URL, when set, win over the stored login.`,
    )
    .action(
      action(host, async (ctx, o: { tokenStdin?: boolean; url?: string; workspace?: string }) => {
        const rawUrl = o.url ?? ctx.io.env.ENSIGN_URL;
        if (!rawUrl) throw usageError("Where is the API? Pass --url https://ensign.example.com (or set ENSIGN_URL).");
        const url = normaliseUrl(rawUrl);
        const token = (o.tokenStdin ? await readAll(ctx.io.stdin) : (ctx.io.env.ENSIGN_TOKEN ?? (await promptToken(ctx.io)))).trim();
        if (!token) throw usageError("No token: pass --token-stdin, set ENSIGN_TOKEN, or run in a terminal to be asked.");
        const client = createApiClient(url, token);
        let who: string;
        if (o.workspace) {
          const ws = await client.get<WorkspaceResponse>(`/v1/workspaces/${seg(o.workspace)}`);
          who = `workspace ${ws.slug}`;
        } else if (token.startsWith("ens_svc_")) {
          throw usageError("A service token acts in one workspace: name it with --workspace <slug>.");
        } else {
          const me = await client.get<CurrentUser>("/v1/auth/me");
          who = me.email;
        }
        const file = await writeStoredConfig(ctx.io.env, { url, token, ...(o.workspace ? { workspace: o.workspace } : {}) });
        if (ctx.out.isJson) return ctx.out.json({ url, as: who, workspace: o.workspace ?? null, file });
        ctx.out.line(`Signed in to ${url} as ${who}. Stored in ${file}.`);
      }),
    );
}

export function logoutCommand(host: ActionHost): Command {
  return new Command("logout").description("forget the stored login (revoke the token itself in the admin app)").action(
    action(host, async (ctx) => {
      const removed = await removeStoredConfig(ctx.io.env);
      ctx.out.line(removed ? `Removed ${configPath(ctx.io.env)}.` : "No stored login.");
    }),
  );
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Asks on a terminal without echoing the token. */
async function promptToken(io: Io): Promise<string> {
  if (!io.stdin.isTTY) throw new CliError("No token: pass --token-stdin, set ENSIGN_TOKEN, or run in a terminal to be asked.", EXIT.usage);
  const question = "Access token: ";
  const muted = { write: (chunk: string | Uint8Array) => (String(chunk).startsWith(question) ? io.stderr.write(chunk) : true) } as unknown as Writable;
  const rl = createInterface({ input: io.stdin, output: muted, terminal: true });
  return new Promise((resolve) =>
    rl.question(question, (answer) => {
      rl.close();
      io.stderr.write("\n");
      resolve(answer);
    }),
  );
}
