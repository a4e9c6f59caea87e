import { z } from "zod";
import { recordAuditEvent, SYSTEM } from "@/lib/audit/record-audit-event";
import { systemCtx, withTransaction, type SystemCtx } from "@/lib/db/ctx";
import type { Prisma } from "@/lib/generated/prisma/client";
import { appendIncidentEvent, type IncidentEventType } from "./append-incident-event";
import type { AutoTick } from "./checklist";
import { RecoveryRun } from "./measure-objectives";
import { incidentMessage, notify, type WebhookEvent } from "./notify";
import { INCIDENT_STATUSES, isActive } from "./state";

export const EVIDENCE_KINDS = ["backup-verified", "restore-started", "restore-running", "restore-finished", "validation-passed"] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * Which auto-tick items a piece of evidence ticks, and what it reads as on the timeline. A
 * "quiet" kind is only put on the timeline when it ticked something: backups are verified in
 * bursts (every new one after a catalog refresh), and only the first proves the item.
 */
const EFFECTS: Readonly<Record<EvidenceKind, { ticks: AutoTick | null; event: IncidentEventType; quiet: boolean }>> = {
  "backup-verified": { ticks: "backup-verified", event: "backup-verified", quiet: true },
  "restore-started": { ticks: "restore-started", event: "run-started", quiet: false },
  "restore-running": { ticks: "restore-running", event: "run-progress", quiet: false },
  "restore-finished": { ticks: null, event: "run-finished", quiet: false },
  "validation-passed": { ticks: "validation-passed", event: "validation", quiet: false },
};

export const SystemEvidenceInput = z.object({
  environment: z.string().min(1),
  kind: z.enum(EVIDENCE_KINDS),
  runId: z.uuid().nullish(),
  /** Where a person sees the proof, e.g. /backups/<id> or /restores/<runId>. */
  href: z.string().min(1).max(2000),
  description: z.string().trim().min(1).max(500),
  at: z.coerce.date().optional(),
  /** For restore-finished: how the run ended. */
  outcome: z.enum(["succeeded", "failed"]).optional(),
  /** The run as measured so far; kept on the incident for its RTO/RPO. */
  run: RecoveryRun.optional(),
});
export type SystemEvidenceInput = z.input<typeof SystemEvidenceInput>;

export interface SystemEvidenceResult {
  /** The open or recovering incidents of the environment whose timeline received the evidence. */
  incidentIds: string[];
  /** Items ticked by this evidence, across those incidents. */
  tickedItemIds: string[];
}

function webhookEventFor(kind: EvidenceKind, outcome: "succeeded" | "failed" | undefined): WebhookEvent | null {
  if (kind === "restore-started") return "run-started";
  if (kind === "restore-finished") return outcome === "failed" ? "run-failed" : "run-finished";
  return null;
}

/**
 * The hook for the restore engine and the backup catalog: something the system did counts as
 * evidence for every open or recovering incident in the environment. Matching items tick
 * themselves (checked by "system", with a link to the evidence) and the timeline says what
 * happened; run starts and ends are announced by webhook after the commit. The system acts.
 */
export async function recordSystemEvidence({
  ctx,
  input: raw,
}: {
  ctx: SystemCtx;
  input: SystemEvidenceInput;
}): Promise<SystemEvidenceResult> {
  const input = SystemEvidenceInput.parse(raw);
  const at = input.at ?? new Date();
  const effect = EFFECTS[input.kind];
  const evidence = { kind: input.kind, href: input.href, description: input.description };
  const system = systemCtx(ctx.db, ctx.requestId);

  const { incidents, tickedItemIds } = await withTransaction(system, async ({ db: tx }) => {
    // A run started from an incident tells that incident alone, a drill (which recovers nothing)
    // tells none; other evidence goes to every open incident of the environment.
    const linkedRun = input.runId
      ? await tx.restoreRun.findUnique({ where: { id: input.runId }, select: { incidentId: true, kind: true } })
      : null;
    const active =
      linkedRun?.kind === "drill"
        ? []
        : await tx.incident.findMany({
            where: {
              ...(linkedRun?.incidentId ? { id: linkedRun.incidentId } : { environment: input.environment }),
              status: { in: INCIDENT_STATUSES.filter(isActive) },
            },
          });
    const incidents: typeof active = [];
    const tickedItemIds: string[] = [];
    for (const incident of active) {
      const candidates = effect.ticks
        ? await tx.incidentChecklistItem.findMany({
            where: { incidentId: incident.id, autoTick: effect.ticks, checkedAt: null },
            orderBy: { position: "asc" },
          })
        : [];
      const ticked: typeof candidates = [];
      for (const item of candidates) {
        // Guarded like a person's tick: one that landed first stands and this one is skipped.
        const update = await tx.incidentChecklistItem.updateMany({
          where: { id: item.id, checkedAt: null },
          data: { checkedAt: at, checkedByEmail: SYSTEM.email, evidence, note: null, version: { increment: 1 } },
        });
        if (update.count === 1) ticked.push(item);
      }
      if (effect.quiet && ticked.length === 0) continue;
      incidents.push(incident);
      await appendIncidentEvent(tx, {
        incidentId: incident.id,
        actorEmail: SYSTEM.email,
        type: effect.event,
        at,
        payload: { ...evidence, runId: input.runId ?? null, outcome: input.outcome ?? null },
      });
      for (const item of ticked) {
        tickedItemIds.push(item.id);
        await appendIncidentEvent(tx, {
          incidentId: incident.id,
          actorEmail: SYSTEM.email,
          type: "item-checked",
          at,
          payload: {
            itemId: item.id,
            phaseKey: item.phaseKey,
            text: item.text,
            evidenceHref: input.href,
            evidenceDescription: input.description,
          },
        });
      }
      if (input.run) {
        // Round-tripped through JSON so its dates are stored as ISO strings.
        await tx.incident.update({
          where: { id: incident.id },
          data: { recoveryRun: JSON.parse(JSON.stringify(input.run)) as Prisma.InputJsonObject },
        });
      }
    }
    if (incidents.length > 0) {
      await recordAuditEvent(tx, {
        actor: SYSTEM,
        action: "incident.evidence",
        payload: {
          ...evidence,
          environment: input.environment,
          runId: input.runId ?? null,
          incidentIds: incidents.map((i) => i.id),
          tickedItemIds,
        },
        requestId: system.requestId,
      });
    }
    return { incidents, tickedItemIds };
  });

  const webhookEvent = webhookEventFor(input.kind, input.outcome);
  if (webhookEvent) {
    for (const incident of incidents) {
      await notify({
        ctx: system,
        input: {
          environment: incident.environment,
          incidentId: incident.id,
          event: webhookEvent,
          message: incidentMessage(webhookEvent, incident, input.description),
        },
      });
    }
  }
  return { incidentIds: incidents.map((i) => i.id), tickedItemIds };
}
