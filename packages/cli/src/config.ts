import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { CliError, EXIT } from "./errors";

/** What `ensign login` stores: where the API is, the token, and the default workspace. */
export const StoredConfig = z.object({
  url: z.string().url(),
  token: z.string().min(1),
  workspace: z.string().min(1).optional(),
});
export type StoredConfig = z.infer<typeof StoredConfig>;

/** `$XDG_CONFIG_HOME/ensign/config.json`, or `~/.config/ensign/config.json`. */
export function configPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || homedir(), ".config");
  return path.join(base, "ensign", "config.json");
}

export async function readStoredConfig(env: NodeJS.ProcessEnv): Promise<StoredConfig | undefined> {
  const file = configPath(env);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON: run \`ensign login\` again.`, EXIT.auth);
  }
  const result = StoredConfig.safeParse(parsed);
  if (!result.success) throw new CliError(`${file} is not an ensign configuration: run \`ensign login\` again.`, EXIT.auth);
  return result.data;
}

/** Writes the file readable by its owner only (0600), in a directory only they can list (0700). */
export async function writeStoredConfig(env: NodeJS.ProcessEnv, config: StoredConfig): Promise<string> {
  const file = configPath(env);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only when it creates the file: tighten one that existed.
  await chmod(file, 0o600);
  return file;
}

export async function removeStoredConfig(env: NodeJS.ProcessEnv): Promise<boolean> {
  const file = configPath(env);
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

export interface Credentials {
  url: string;
  token: string;
  /** The workspace from `--workspace`, `ENSIGN_WORKSPACE` or the stored configuration. */
  workspace?: string;
}

/**
 * Where to connect and with what: `ENSIGN_URL` and `ENSIGN_TOKEN` win over what `ensign login`
 * stored; `--url` and `--workspace` win over both.
 */
export async function resolveCredentials(env: NodeJS.ProcessEnv, flags: { url?: string; workspace?: string }): Promise<Credentials> {
  const stored = await readStoredConfig(env);
  const token = env.ENSIGN_TOKEN || stored?.token;
  const url = flags.url || env.ENSIGN_URL || stored?.url;
  if (!token) throw new CliError("Not signed in: set ENSIGN_TOKEN (and ENSIGN_URL), or run `ensign login`.", EXIT.auth);
  if (!url) throw new CliError("No API address: set ENSIGN_URL (e.g. https://ensign.example.com), pass --url, or run `ensign login`.", EXIT.auth);
  return { url: normaliseUrl(url), token, workspace: flags.workspace || env.ENSIGN_WORKSPACE || stored?.workspace };
}

/** The API's base address without a trailing slash; an http(s) URL or a usage error. */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`Not a URL: ${url}`, EXIT.usage);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new CliError(`Not an http(s) URL: ${url}`, EXIT.usage);
  return parsed.toString().replace(/\/+$/, "");
}
