import type { DbOrTx } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { verificationView, type VerificationView } from "./backup-views";

export async function getVerification({ ctx, input }: { ctx: { db: DbOrTx }; input: { verificationId: string } }): Promise<VerificationView> {
  const row = await ctx.db.backupVerification.findUnique({ where: { id: input.verificationId } });
  if (!row) throw new NotFoundError("That verification does not exist.");
  return verificationView(row);
}
