import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import { runMigrations } from "../infra/db/migrate";
import { createFirstAdmin } from "../modules/accounts/first-admin";
import { EXIT, withDatabase } from "./database";

export { EXIT };


export const ADMIN_CREATE_USAGE = `Usage: ensign admin create --email <address> [--name <name>] [--password-stdin] [--force]

Creates the first platform superadmin of the database named by DATABASE_URL (or the embedded
database in DATA_DIR; stop an embedded server first). Sign in with it, create a workspace (you
become its owner) and invite everyone else from the admin app.

The password comes, in this order, from standard input (--password-stdin), from the
ENSIGN_ADMIN_PASSWORD environment variable, or from a prompt when run in a terminal. It needs at
least 10 characters.

  --email           the admin's e-mail address (their sign-in name)
  --name            the name shown in the admin app (the e-mail's local part by default)
  --password-stdin  read the password from standard input (e.g. from a secret manager)
  --force           create another superadmin although one exists (a second operator)

Exit codes: 0 created, 1 refused (a superadmin or the e-mail exists, or a bad e-mail or
password), 2 usage, 3 the database cannot be reached.`;

export interface AdminCreateIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Asks for the password twice on a terminal, echoing nothing. */
async function prompt(io: AdminCreateIo): Promise<string | null> {
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      const muted = {
        write: (chunk: string | Uint8Array) => (String(chunk).startsWith(question) ? io.stderr.write(chunk) : true),
      } as unknown as Writable;
      const rl = createInterface({ input: io.stdin, output: muted, terminal: true });
      rl.question(question, (answer) => {
        rl.close();
        io.stderr.write("\n");
        resolve(answer);
      });
    });
  const first = await ask("Password: ");
  const second = await ask("Password again: ");
  return first === second ? first : null;
}

const OPTIONS = {
  email: { type: "string" },
  name: { type: "string" },
  "password-stdin": { type: "boolean" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** `ensign admin create`: the exit code, having written what happened to stdout or stderr. */
export async function runAdminCreate(io: AdminCreateIo): Promise<number> {
  let args: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true; allowPositionals: false }>>;
  try {
    args = parseArgs({ args: io.argv, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${ADMIN_CREATE_USAGE}\n`);
    return EXIT.usage;
  }
  if (args.values.help) {
    io.stdout.write(`${ADMIN_CREATE_USAGE}\n`);
    return EXIT.ok;
  }
  const email = args.values.email;
  if (!email) {
    io.stderr.write(`--email is required.\n\n${ADMIN_CREATE_USAGE}\n`);
    return EXIT.usage;
  }

  let password: string | null;
  if (args.values["password-stdin"]) password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  else if (io.env.ENSIGN_ADMIN_PASSWORD) password = io.env.ENSIGN_ADMIN_PASSWORD;
  else if (io.stdin.isTTY) password = await prompt(io);
  else {
    io.stderr.write("No password: pass --password-stdin, set ENSIGN_ADMIN_PASSWORD, or run in a terminal to be asked.\n");
    return EXIT.usage;
  }
  if (password === null) {
    io.stderr.write("The passwords do not match.\n");
    return EXIT.refused;
  }

  return withDatabase(io.env, io.stderr, async (db, config) => {
    if (config.migrateOnStart) await runMigrations(db.sql);
    const result = await createFirstAdmin(db.prisma, { email, name: args.values.name, password, force: args.values.force });
    if (result.created) {
      io.stdout.write(`Created the platform superadmin ${result.user.email} (${result.user.name}). Sign in to the admin app with it.\n`);
      return EXIT.ok;
    }
    if (result.reason === "invalid") io.stderr.write(`${result.issues.join("\n")}\n`);
    else if (result.reason === "admin-exists")
      io.stderr.write(`The database has ${result.count} superadmin${result.count === 1 ? "" : "s"} already; nothing was created. Pass --force to add another.\n`);
    else io.stderr.write(`An account with the e-mail ${email} exists; nothing was created.\n`);
    return EXIT.refused;
  });
}
