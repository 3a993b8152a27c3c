import { Command, CommanderError } from "commander";
import type { ActionHost } from "./command";
import { adminCommand } from "./commands/admin";
import { applyCommand } from "./commands/apply";
import { flagsCommand } from "./commands/flags";
import { keysCommand } from "./commands/keys";
import { loginCommand, logoutCommand } from "./commands/login";
import { overridesCommand } from "./commands/overrides";
import { schedulesCommand } from "./commands/schedules";
import { exportCommand, importCommand } from "./commands/transfer";
import { CliError, EXIT } from "./errors";
import type { Io } from "./output";

const HELP_AFTER = `
Seed 002's commands:
  BootstrapFeatures   ensign apply features.yaml
  EnableFeature       ensign flags enable <key> --env <env>
  RolloutFeature      ensign flags rollout <key> --env <env> --percent <n> [--by tenantKey]

Credentials: ENSIGN_TOKEN (a personal ens_pat_ or service ens_svc_ access token) and ENSIGN_URL,
or what \`ensign login\` stored. ENSIGN_WORKSPACE (or --workspace) names the workspace; a
personal token that reaches one workspace needs neither.

Output: tables on a terminal, tab-separated rows when piped, JSON with --json. Progress and
notes go to standard error.

Exit codes:
  0  done (apply --check: no drift)
  1  usage: a bad command line, or a file that is not valid
  2  the API refused the request (its message is printed)
  3  not signed in, or the token may not do this (401, 403)
  4  apply --check found drift
  5  the API could not be reached or failed (5xx)`;

/** The `ensign` command: parses `argv` (without `node` and the script) and answers the exit code. */
export async function runProgram(argv: string[], io: Io, version: string): Promise<number> {
  let exitCode: number = EXIT.ok;
  const host: ActionHost = { io, setExitCode: (code) => void (exitCode = code) };
  const program = new Command("ensign")
    .description("Ensign from the command line and CI: flags, rollouts, overrides, schedules, API keys, export, import and apply")
    .version(version, "-v, --version")
    .option("--json", "answer JSON")
    .option("-q, --quiet", "no progress on standard error")
    .option("--url <url>", "the API's address (ENSIGN_URL)")
    .option("-w, --workspace <slug>", "the workspace (ENSIGN_WORKSPACE)")
    .addHelpText("after", HELP_AFTER)
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) })
    .exitOverride();

  for (const make of [flagsCommand, overridesCommand, schedulesCommand, keysCommand, applyCommand, exportCommand, importCommand, loginCommand, logoutCommand, adminCommand]) {
    program.addCommand(make(host));
  }
  // Subcommands answer usage errors as the program does (exit 1, never process.exit).
  const inherit = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride().showHelpAfterError("(add --help for usage)");
      inherit(sub);
    }
  };
  inherit(program);

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are answers, not failures; a group without its subcommand shows its help.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`Error: ${error.message}\n`);
      for (const line of error.details) io.stderr.write(`  ${line}\n`);
      return error.exitCode;
    }
    // Not a failure the CLI knows: a bug, reported whole so it can be reported on.
    io.stderr.write(`Error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.usage;
  }
}
