import type { SystemCtx } from "@/lib/db/ctx";
import { createUser } from "./create-user";
import { generatePassword } from "./passwords";

export const DEFAULT_ADMIN_EMAIL = "admin@restore-console.local";

export type FirstAdminResult = { created: false } | { created: true; email: string; generatedPassword: string | null };

/** On an empty users table, creates the first admin (with the given or a generated password). */
export async function ensureFirstAdmin({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { email?: string; password?: string };
}): Promise<FirstAdminResult> {
  if ((await ctx.db.user.count()) > 0) return { created: false };
  const password = input.password ?? generatePassword();
  const user = await createUser({
    ctx,
    input: { email: input.email ?? DEFAULT_ADMIN_EMAIL, role: "admin", name: "Administrator", password },
  });
  return { created: true, email: user.email, generatedPassword: input.password ? null : password };
}
