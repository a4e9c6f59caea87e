import type { ClientCtx } from "@/lib/db/ctx";
import { cleanupPitrRestore } from "@/lib/restore/pitr/cleanup-pitr-restore";
import { confirmSwap } from "@/lib/restore/logical/confirm-swap";
import { markPitrCutOver } from "@/lib/restore/pitr/mark-pitr-cut-over";
import { rollbackRestore } from "@/lib/restore/logical/rollback-restore";
import { getRestoreRun } from "@/lib/restore/get-restore-run";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";
import { applyRowRepair } from "@/lib/restore/row-recovery/apply-row-repair";
import type { ApprovalGrant } from "./require-four-eyes";

const bool = (value: unknown, fallback: boolean): boolean => (typeof value === "boolean" ? value : fallback);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/**
 * Runs an approved action through its own verb, with the parameters the requester confirmed, as
 * the approver: every check of the action runs again now (the run may have moved on meanwhile).
 * On the client, outside any transaction: each action opens its own.
 */
export async function executeApprovedAction(
  ctx: ClientCtx,
  grant: ApprovalGrant,
  parameters: Record<string, unknown>,
): Promise<RestoreRunView> {
  switch (grant.action) {
    case "swap":
      return confirmSwap({
        ctx,
        input: {
          runId: grant.runId,
          confirmation: str(parameters.confirmation) ?? "",
          terminateSessions: bool(parameters.terminateSessions, false),
        },
        approval: grant,
      });
    case "rollback": {
      const confirmation = str(parameters.confirmation);
      return rollbackRestore({
        ctx,
        input: {
          runId: grant.runId,
          terminateSessions: bool(parameters.terminateSessions, false),
          ...(confirmation === undefined ? {} : { confirmation }),
        },
        approval: grant,
      });
    }
    case "pitr-cut-over":
      return (await markPitrCutOver({ ctx, input: { runId: grant.runId }, approval: grant })).run;
    case "pitr-cleanup": {
      const confirmation = str(parameters.confirmation);
      const input = {
        runId: grant.runId,
        finalSnapshot: bool(parameters.finalSnapshot, true),
        ...(confirmation === undefined ? {} : { confirmation }),
      };
      return (await cleanupPitrRestore({ ctx, input, approval: grant })).run;
    }
    case "row-repair": {
      const confirmation = str(parameters.confirmation);
      await applyRowRepair({
        ctx,
        input: {
          comparisonId: str(parameters.comparisonId) ?? "",
          dryRun: false,
          includeUpdates: bool(parameters.includeUpdates, false),
          ...(confirmation === undefined ? {} : { confirmation }),
        },
        approval: grant,
      });
      return (await getRestoreRun({ ctx, input: { runId: grant.runId } })).run;
    }
  }
}
