import { z } from "zod";
import { ROLES, type SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { createUser } from "./create-user";
import type { UserView } from "./list-users";
import { toUserView } from "./list-users";
import { generatePassword } from "./passwords";

export const AddUserInput = z.strictObject({
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(ROLES),
});
export type AddUserInput = z.infer<typeof AddUserInput>;

export interface UserWithOneTimePassword {
  user: UserView;
  /** Shown to the admin once, never stored in clear or audited; it works only to choose a new password. */
  oneTimePassword: string;
}

/**
 * An admin adds a person from the People page: the server generates a one-time password (the
 * admin never chooses someone's password), which must be replaced at first sign-in.
 */
export async function addUser({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: AddUserInput }): Promise<UserWithOneTimePassword> {
  const data = AddUserInput.parse(input);
  const oneTimePassword = generatePassword();
  const created = await createUser({ ctx, input: { ...data, password: oneTimePassword, passwordChangeRequired: true } });
  const user = await ctx.db.user.findUniqueOrThrow({ where: { id: created.id } });
  return { user: toUserView(user), oneTimePassword };
}
