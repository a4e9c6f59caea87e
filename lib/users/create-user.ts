import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ROLES, type SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { hashPassword, MIN_PASSWORD_LENGTH } from "./passwords";

export const CreateUserInput = z.object({
  email: z.email().transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(ROLES),
  password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`),
  /** A one-time password: the person must choose their own at first sign-in. */
  passwordChangeRequired: z.boolean().optional(),
});
export type CreateUserInput = z.infer<typeof CreateUserInput>;

export async function createUser({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: CreateUserInput }): Promise<SessionUser> {
  const data = CreateUserInput.parse(input);
  const passwordHash = await hashPassword(data.password);
  return withTransaction(ctx, async ({ db: tx }) => {
    const existing = await tx.user.findUnique({ where: { email: data.email } });
    if (existing) throw new ConflictError(`A user with email ${data.email} already exists.`);
    const user = await tx.user.create({
      data: {
        email: data.email,
        name: data.name ?? null,
        role: data.role,
        passwordHash,
        authProvider: "credentials",
        passwordChangeRequired: data.passwordChangeRequired ?? false,
      },
    });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "user.create",
      subject: { type: "user", id: user.id },
      payload: { email: user.email, role: user.role, mustChangeAtFirstSignIn: user.passwordChangeRequired },
      requestId: ctx.requestId,
    });
    return { id: user.id, email: user.email, name: user.name, role: user.role };
  });
}
