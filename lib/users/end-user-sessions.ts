import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { toUserView, type UserView } from "./list-users";
import { lockActiveAdmins, lockUser } from "./people-context";

export const EndUserSessionsInput = z.strictObject({ userId: z.uuid() });
export type EndUserSessionsInput = z.infer<typeof EndUserSessionsInput>;

/** Ends every session the person holds, on every device: each is refused at its next request. */
export async function endUserSessions({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: EndUserSessionsInput }): Promise<UserView> {
  const { userId } = EndUserSessionsInput.parse(input);
  return withTransaction(ctx, async ({ db: tx }) => {
    await lockActiveAdmins(tx, actorOf(ctx));
    const target = await lockUser(tx, userId);
    const updated = await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "user.sessions_end",
      subject: { type: "user", id: userId },
      payload: { email: target.email },
      requestId: ctx.requestId,
    });
    return toUserView(updated);
  });
}
