import { z } from "zod";
import type { AuditActor } from "@/lib/audit/record-audit-event";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Prisma, User } from "@/lib/generated/prisma/client";

type Tx = Prisma.TransactionClient;

/**
 * Locks the rows of every active admin, in id order (so two people changes never deadlock), and
 * returns their ids. Two admins demoting or disabling each other at the same moment queue here:
 * the second sees the first's change once it commits, so the last active admin always remains.
 * The acting admin must be among them: someone demoted or disabled a moment ago cannot still act.
 */
export async function lockActiveAdmins(tx: Tx, actor: AuditActor): Promise<string[]> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`;
  const ids = rows.map((r) => r.id);
  if (actor.id !== null && !ids.includes(actor.id)) {
    throw new ForbiddenError("You are no longer an active admin, so this change was not made. Sign in again.");
  }
  return ids;
}

/** The person's row, locked until the transaction ends; NotFoundError if there is none. */
export async function lockUser(tx: Tx, userId: string): Promise<User> {
  await tx.$queryRaw`SELECT id FROM users WHERE id = ${userId}::uuid FOR UPDATE`;
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw new NotFoundError("No such person. They may have been removed; reload the list.");
  return user;
}

/** Refuses a change that would leave no active admin (`adminIds` from lockActiveAdmins, in the same transaction). */
export function assertNotLastAdmin(target: User, adminIds: readonly string[], change: string): void {
  const isActiveAdmin = adminIds.includes(target.id);
  if (isActiveAdmin && adminIds.length <= 1) {
    throw new ConflictError(`${target.email} is the last active admin and can't be ${change}. Make someone else an admin first.`);
  }
}

/** The `[userId]` segment of every per-person API route. */
export const UserParams = z.object({ userId: z.uuid("is not a person's id") });
