import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type SystemCtx } from "@/lib/db/ctx";
import { errorMessage } from "@/lib/errors";
import type { GlobalPromotion, Prisma } from "@/lib/generated/prisma/client";
import { createAuroraGlobalFailover } from "@/lib/providers/aws/create-pitr-provider";
import { endpointText } from "../plan";
import { GlobalFailoverMode } from "./global-promotion-views";
import { resolveGlobalDatabase } from "./resolve-global-database";

/** How long a promotion may take to make the DR cluster the writer; RDS usually needs minutes. */
export const GLOBAL_PROMOTION_TIMEOUT_MS = 60 * 60_000;

export const RETRY_ADVICE =
  "Check the global database's state on the point-in-time recovery page, then ask again if the DR cluster is not its writer: a switchover or failover already under way is waited for, never started twice.";

type Outcome = { status: "succeeded"; endpoint: Prisma.InputJsonObject; sent: boolean } | { status: "failed"; error: string };

/** The end of a running promotion, with its audit record, in one transaction; the environment is free again. */
async function finish(ctx: SystemCtx, row: GlobalPromotion, outcome: Outcome, log: string[]): Promise<void> {
  await withTransaction(ctx, async ({ db: tx }) => {
    const { count } = await tx.globalPromotion.updateMany({
      where: { id: row.id, status: "running" },
      data: { ...outcome, activeKey: null, finishedAt: new Date(), log },
    });
    // Settled as stale meanwhile: that record stands.
    if (count === 0) return;
    await recordAuditEvent(tx, {
      actor: SYSTEM,
      action: `pitr.global-promotion.${outcome.status}`,
      outcome: outcome.status === "succeeded" ? "ok" : "failed",
      subject: { type: "global-promotion", id: row.id },
      payload: {
        environment: row.environment,
        globalClusterIdentifier: row.globalClusterIdentifier,
        mode: row.mode,
        requestedBy: row.requestedByEmail,
        approvedBy: row.decidedByEmail,
        ...(outcome.status === "succeeded" ? { endpoint: outcome.endpoint, sent: outcome.sent } : { error: outcome.error }),
      },
      requestId: ctx.requestId,
    });
  });
}

/**
 * The job's work: makes the DR cluster of the environment's global database its writer
 * (switchover or failover allowing data loss, as asked), waits until it accepts writes (at most
 * GLOBAL_PROMOTION_TIMEOUT_MS), and records the outcome: the endpoint, or what went wrong and
 * what to do. Only a queued promotion is claimed, so a repeated job does nothing twice; the
 * provider itself reads the global database first and never sends a second request.
 */
export async function runGlobalPromotion({
  ctx,
  input,
}: {
  ctx: SystemCtx;
  input: { promotionId: string; signal: AbortSignal };
}): Promise<void> {
  const { count } = await ctx.db.globalPromotion.updateMany({
    where: { id: input.promotionId, status: "queued" },
    data: { status: "running", startedAt: new Date() },
  });
  if (count === 0) return;
  const row = await ctx.db.globalPromotion.findUniqueOrThrow({ where: { id: input.promotionId } });

  // Each line is saved as it comes (in order), so the page shows what is happening.
  const lines: string[] = [];
  let saving = Promise.resolve();
  const log = (line: string) => {
    lines.push(line);
    const snapshot = [...lines];
    saving = saving
      .then(() => ctx.db.globalPromotion.updateMany({ where: { id: row.id, status: "running" }, data: { log: snapshot } }))
      .then(
        () => undefined,
        (error: unknown) => console.error(`[global-promotion ${row.id}] could not save a log line`, error),
      );
  };

  let outcome: Outcome;
  try {
    const { source, config } = resolveGlobalDatabase(row.environment);
    if (config.globalClusterIdentifier !== row.globalClusterIdentifier) {
      throw new Error(
        `The configuration now names the global database "${config.globalClusterIdentifier}", not "${row.globalClusterIdentifier}" as when this was asked for, so nothing was sent. Ask again.`,
      );
    }
    const mode = GlobalFailoverMode.parse(row.mode);
    const failover = createAuroraGlobalFailover(source);
    const options = { signal: input.signal, timeoutMs: GLOBAL_PROMOTION_TIMEOUT_MS, log };
    const result = mode === "detach" ? await failover.detachAndPromote(options) : await failover.failover(mode, options);
    log(`The DR cluster accepts writes at ${endpointText(result.endpoint)}`);
    outcome = { status: "succeeded", endpoint: { ...result.endpoint }, sent: result.started };
  } catch (error) {
    outcome = {
      status: "failed",
      error: input.signal.aborted ? `The worker stopped while this was under way. ${RETRY_ADVICE}` : errorMessage(error),
    };
  }
  await saving;
  await finish(ctx, row, outcome, lines);
}
