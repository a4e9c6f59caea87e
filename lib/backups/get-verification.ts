import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { verificationView, type VerificationView } from "./backup-views";

export async function getVerification({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { verificationId: string };
}): Promise<VerificationView> {
  const row = await ctx.db.backupVerification.findUnique({ where: { id: input.verificationId } });
  if (!row) throw new NotFoundError("That verification does not exist.");
  return verificationView(row);
}
