import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import type { ActionHost } from "../command";
import { CliError, EXIT, type ExitCode } from "../errors";

/**
 * Where the server's operator command is: `ENSIGN_SERVER_CLI`, else `apps/api/dist/ensign.js`
 * under the working directory (the container's /app, or a built checkout).
 */
export function serverCliPath(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.ENSIGN_SERVER_CLI) return path.resolve(cwd, env.ENSIGN_SERVER_CLI);
  const local = path.join(cwd, "apps", "api", "dist", "ensign.js");
  return existsSync(local) ? local : undefined;
}

/** The server command's exit codes (0 created, 1 refused, 2 usage, 3 database unreachable) in this CLI's terms. */
const FROM_SERVER: Record<number, ExitCode> = { 0: EXIT.ok, 1: EXIT.refused, 2: EXIT.usage, 3: EXIT.unavailable };

const HELP = `
The first platform superadmin is made on the server, against its database, before anyone can
sign in: no access token exists yet to call the API with. This command runs the server's own
operator command (node apps/api/dist/ensign.js admin create), with the same options:

  --email <address>   the admin's e-mail address (required)
  --name <name>       the name shown in the admin app
  --password-stdin    read the password from standard input
  --force             create another superadmin although one exists

Run it where the server runs, with its DATABASE_URL (or DATA_DIR) in the environment: in the
server's directory, or with ENSIGN_SERVER_CLI=/path/to/apps/api/dist/ensign.js. In Docker:

  docker compose exec api node apps/api/dist/ensign.js admin create --email ops@example.com

Exit codes: 0 created, 2 refused (a superadmin or the e-mail exists, a bad password), 1 usage,
5 the database cannot be reached.`;

export function adminCommand(host: ActionHost): Command {
  const admin = new Command("admin").description("server-side operator commands (run on the server host)");
  admin
    .command("create")
    .description("create the first platform superadmin (runs the server's operator command)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[options...]", "passed to the server's `admin create`")
    .addHelpText("after", HELP)
    .action(async (args: string[]) => {
      const cli = serverCliPath(host.io.env, process.cwd());
      if (args.includes("--help") || args.includes("-h") || !cli) {
        const text = `Usage: ensign admin create --email <address> [--name <name>] [--password-stdin] [--force]\n${HELP}\n`;
        if (args.includes("--help") || args.includes("-h")) {
          host.io.stdout.write(text);
          return host.setExitCode(EXIT.ok);
        }
        throw new CliError(
          `The server's operator command was not found here (no apps/api/dist/ensign.js under ${process.cwd()}, and ENSIGN_SERVER_CLI is not set).\n${HELP}`,
          EXIT.usage,
        );
      }
      if (!existsSync(cli)) throw new CliError(`ENSIGN_SERVER_CLI names ${cli}, which does not exist.`, EXIT.usage);
      host.setExitCode(await runServerCli(cli, args, host.io.env));
    });
  return admin;
}

/** Runs the server's `admin create` in this terminal (its prompt, stdin and output are the user's). */
function runServerCli(cli: string, args: string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "admin", "create", ...args], { stdio: "inherit", env });
    child.once("error", (error) => reject(new CliError(`Cannot run ${cli}: ${error.message}`, EXIT.unavailable)));
    child.once("exit", (code, signal) => resolve(signal ? EXIT.unavailable : (FROM_SERVER[code ?? 1] ?? EXIT.refused)));
  });
}
