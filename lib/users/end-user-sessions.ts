import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { toUserView, type UserView } from "./list-users";
import { lockActiveAdmins, lockUser, type PeopleContext } from "./people-context";

export const EndUserSessionsInput = z.strictObject({ userId: z.uuid() });
export type EndUserSessionsInput = z.infer<typeof EndUserSessionsInput>;

/** Ends every session the person holds, on every device: each is refused at its next request. */
export async function endUserSessions({ ctx, input }: { ctx: PeopleContext; input: EndUserSessionsInput }): Promise<UserView> {
  const { userId } = EndUserSessionsInput.parse(input);
  return ctx.db.$transaction(async (tx) => {
    await lockActiveAdmins(tx, ctx.actor);
    const target = await lockUser(tx, userId);
    const updated = await tx.user.update({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
    await recordAuditEvent(tx, {
      actor: ctx.actor,
      action: "user.sessions_end",
      subject: { type: "user", id: userId },
      payload: { email: target.email },
      requestId: ctx.requestId,
    });
    return toUserView(updated);
  });
}
