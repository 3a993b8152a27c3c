import { Email, Password } from "@ensign/contracts/auth";
import type { PrismaClient } from "../../generated/prisma/client";
import { hashPassword } from "../auth/passwords";

export interface FirstAdminInput {
  email: string;
  name?: string;
  password: string;
  /** Create a platform superadmin even though one exists already (a second operator, a lost account). */
  force?: boolean;
}

export type FirstAdminResult =
  | { created: true; user: { id: string; email: string; name: string } }
  | { created: false; reason: "invalid"; issues: string[] }
  | { created: false; reason: "admin-exists"; count: number }
  | { created: false; reason: "email-taken" };

/**
 * Creates the platform superadmin of a database that has none: the only way into a deployment
 * that did not load the demo data. A superadmin creates workspaces (becoming their owner) and
 * invites everyone else. Refuses when a superadmin exists unless `force`, and never takes over
 * an existing account.
 */
export async function createFirstAdmin(prisma: PrismaClient, input: FirstAdminInput): Promise<FirstAdminResult> {
  const email = Email.safeParse(input.email);
  const password = Password.safeParse(input.password);
  const issues = [
    ...(email.success ? [] : [`--email: ${email.error.issues[0]?.message ?? "is not valid"}`]),
    ...(password.success ? [] : [`password: ${password.error.issues[0]?.message ?? "is not valid"}`]),
  ];
  if (!email.success || !password.success) return { created: false, reason: "invalid", issues };
  const name = input.name?.trim() || email.data.split("@")[0]!;
  const passwordHash = await hashPassword(password.data);

  return prisma.$transaction(async (tx) => {
    // One creation at a time, so two operators racing on an empty database make one admin.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('ensign:first-admin'))`;
    const admins = await tx.user.count({ where: { isSuperadmin: true, disabledAt: null } });
    if (admins > 0 && !input.force) return { created: false, reason: "admin-exists", count: admins } as const;
    if (await tx.user.findUnique({ where: { email: email.data }, select: { id: true } })) return { created: false, reason: "email-taken" } as const;
    const user = await tx.user.create({
      data: { email: email.data, name, passwordHash, isSuperadmin: true },
      select: { id: true, email: true, name: true },
    });
    return { created: true, user } as const;
  });
}

/** Whether the database has anyone who can sign in as a platform superadmin. */
export async function hasSuperadmin(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.user.count({ where: { isSuperadmin: true, disabledAt: null } })) > 0;
}
