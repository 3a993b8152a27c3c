import { ADMIN_CREATE_USAGE, EXIT, runAdminCreate } from "./admin-create";
import { MIGRATE_USAGE, runMigrate } from "./migrate";

/**
 * `ensign`, the server-side operator commands: `admin create`, which makes the first platform
 * superadmin of a new deployment, and `migrate status|deploy`.
 */
const USAGE = `Usage: ensign <command>

Commands:
  admin create     create the first platform superadmin of the database
  migrate status   list applied and pending migrations
  migrate deploy   apply pending migrations

${ADMIN_CREATE_USAGE}

${MIGRATE_USAGE}`;

const [group, command, ...rest] = process.argv.slice(2);
let code: number;
if (group === "admin" && command === "create") {
  code = await runAdminCreate({ argv: rest, env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
} else if (group === "migrate") {
  code = await runMigrate({ argv: [command, ...rest].filter((arg): arg is string => arg !== undefined), env: process.env, stdout: process.stdout, stderr: process.stderr });
} else if (group === undefined || group === "--help" || group === "-h" || group === "help") {
  process.stdout.write(`${USAGE}\n`);
  code = EXIT.ok;
} else {
  process.stderr.write(`Unknown command: ${[group, command].filter(Boolean).join(" ")}\n\n${USAGE}\n`);
  code = EXIT.usage;
}
process.exitCode = code;
