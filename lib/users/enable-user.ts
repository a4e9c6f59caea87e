import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { toUserView, type UserView } from "./list-users";
import { lockActiveAdmins, lockUser } from "./people-context";

export const EnableUserInput = z.strictObject({ userId: z.uuid() });
export type EnableUserInput = z.infer<typeof EnableUserInput>;

/** Lets a disabled person sign in again. Their old sessions stay ended (disabling bumped their session version). */
export async function enableUser({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: EnableUserInput }): Promise<UserView> {
  const { userId } = EnableUserInput.parse(input);
  return withTransaction(ctx, async ({ db: tx }) => {
    await lockActiveAdmins(tx, actorOf(ctx));
    const target = await lockUser(tx, userId);
    if (!target.disabledAt) return toUserView(target);
    const updated = await tx.user.update({ where: { id: userId }, data: { disabledAt: null } });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "user.enable",
      subject: { type: "user", id: userId },
      payload: { email: target.email, role: target.role },
      requestId: ctx.requestId,
    });
    return toUserView(updated);
  });
}
