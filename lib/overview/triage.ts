import type { SessionUser } from "@/lib/auth/roles";
import type { AlertView } from "@/lib/alerts/evaluate-alerts";
import type { ApprovalView } from "@/lib/approvals/approval-views";
import type { Ctx } from "@/lib/db/ctx";
import { plural } from "@/lib/format";
import { formatCountdown, phaseTimer } from "@/lib/incidents/phase-timers";
import { ChecklistPhases } from "@/lib/incidents/checklist";
import { readPlan } from "@/lib/restore/read-plan";
import { progressOfRunningStep } from "@/lib/restore/live-run";
import { restoreRunView, type RestoreProgressView } from "@/lib/restore/restore-run-views";
import { findUnacceptedBlockingFailures } from "@/lib/restore/validation/blocking-failures";
import type { AttentionItem, RunningRunView } from "./triage-model";

// What Overview asks of the person on call, most urgent first: each item says what is wrong and
// the one action that moves it on. Read at each page load, from what the rest of the app keeps.

/** Lower comes first. */
const RANK = {
  workerDown: 0,
  phaseOverdue: 1,
  awaitingPerson: 2,
  criticalAlert: 3,
  incident: 4,
  warningAlert: 5,
} as const;

/** The alerts Overview shows as their own item (the worker's is said by its heartbeat, at once). */
function alertItems(alerts: readonly AlertView[]): AttentionItem[] {
  return alerts
    .filter((alert) => alert.rule !== "worker-down")
    .map((alert) => ({
      key: `alert:${alert.id}`,
      rank: alert.severity === "critical" ? RANK.criticalAlert : RANK.warningAlert,
      tone: alert.severity === "critical" ? "critical" : "warning",
      title: alert.title,
      detail: alert.detail,
      environment: alert.environment,
      since: alert.firedAt,
      action: { label: ALERT_ACTIONS[alert.rule] ?? "Look at the cause", href: alert.href ?? "/" },
      rule: alert.rule,
    }));
}

const ALERT_ACTIONS: Readonly<Record<string, string>> = {
  "backup-stale": "See the backups",
  "backup-manifest": "See the backup",
  "verification-failed": "See the verification",
  "run-failed": "See why it failed",
  "drill-not-started": "See the drills",
  "pitr-lag": "See the restore window",
  "pitr-unreachable": "See the restore window",
  "replica-stale": "See the backups",
};

/** Restores held for a person: a swap to confirm, or blocking validation failures an admin must accept or cancel. */
async function runsAwaitingPerson(ctx: Ctx<SessionUser | null>): Promise<AttentionItem[]> {
  const runs = await ctx.db.restoreRun.findMany({ where: { status: "awaiting-swap" }, orderBy: { createdAt: "asc" } });
  const items: AttentionItem[] = [];
  for (const run of runs) {
    const plan = readPlan(run);
    const name = plan.kind === "pitr" ? "point-in-time restore" : plan.source.name;
    const blocking = await findUnacceptedBlockingFailures(ctx.db, run.id);
    items.push({
      key: `run:${run.id}`,
      rank: RANK.awaitingPerson,
      tone: "warning",
      title:
        blocking.length > 0
          ? `Validation of ${name} failed: the restore onto ${run.targetName} waits`
          : `${name} is restored and validated: the swap onto ${run.targetName} waits for your confirmation`,
      detail:
        blocking.length > 0
          ? `Failed: ${blocking.map((f) => f.name).join(", ")}. An admin accepts the failures with a reason, or someone cancels; ${run.targetDatabase} is untouched.`
          : `${run.scratchDatabase} replaces ${run.targetDatabase} once someone confirms; until then ${run.targetDatabase} is untouched.`,
      environment: run.environment,
      since: (run.startedAt ?? run.createdAt).toISOString(),
      action: { label: blocking.length > 0 ? "Review the failures" : "Review and confirm the swap", href: `/restores/${run.id}` },
    });
  }
  return items;
}

function approvalItems(approvals: readonly ApprovalView[]): AttentionItem[] {
  return approvals
    .filter((approval) => approval.status === "pending")
    .map((approval) => ({
      key: `approval:${approval.id}`,
      rank: RANK.awaitingPerson,
      tone: "warning",
      title: `${approval.actionLabel} needs a second person's approval`,
      detail: `Asked by ${approval.requestedByEmail}: "${approval.reason}". Approvers: ${approval.approverRole}s other than them; it expires ${approval.expiresAt.slice(11, 16)} UTC.`,
      environment: approval.environment,
      since: approval.requestedAt,
      action: { label: "Review the request", href: `/restores/${approval.runId}` },
    }));
}

/** Promotions of a global database's DR cluster waiting for a second admin (four-eyes), until they expire. */
async function promotionItems(ctx: Ctx<SessionUser | null>, now: Date): Promise<AttentionItem[]> {
  const promotions = await ctx.db.globalPromotion.findMany({
    where: { status: "awaiting-approval", expiresAt: { gt: now } },
    orderBy: { createdAt: "asc" },
  });
  return promotions.map((promotion) => ({
    key: `promotion:${promotion.id}`,
    rank: RANK.awaitingPerson,
    tone: "warning",
    title: `Promoting ${promotion.environment}'s DR cluster needs a second admin's approval`,
    detail: `Asked by ${promotion.requestedByEmail}${promotion.reason ? `: "${promotion.reason}"` : ""}. Approvers: admins other than them.`,
    environment: promotion.environment,
    since: promotion.createdAt.toISOString(),
    action: { label: "Review the request", href: `/restores/pitr?environment=${encodeURIComponent(promotion.environment)}` },
  }));
}

/** Each open incident with the phase it is in and that phase's clock (overdue ones rank higher). */
async function incidentItems(ctx: Ctx<SessionUser | null>, now: Date): Promise<AttentionItem[]> {
  const incidents = await ctx.db.incident.findMany({
    where: { status: { in: ["open", "recovering"] } },
    include: { checklistTemplate: true, items: true },
    orderBy: { startedAt: "asc" },
  });
  return incidents.map((incident) => {
    const phases = ChecklistPhases.safeParse(incident.checklistTemplate.phases);
    const current = (phases.success ? phases.data : [])
      .map((phase) => ({
        phase,
        timer: phaseTimer(
          { key: phase.key, deadlineMinutes: phase.deadlineMinutes, items: incident.items.filter((i) => i.phaseKey === phase.key) },
          incident.startedAt,
          incident.recoveredAt ?? now,
        ),
      }))
      .find(({ timer }) => timer.state !== "done");
    const overdue = current?.timer.state === "red";
    const clock =
      current && current.timer.remainingMs !== null
        ? overdue
          ? `overdue by ${formatCountdown(current.timer.remainingMs).slice(1)}`
          : `due in ${formatCountdown(current.timer.remainingMs)}`
        : null;
    return {
      key: `incident:${incident.id}`,
      rank: overdue ? RANK.phaseOverdue : RANK.incident,
      tone: overdue || incident.severity === "sev1" ? "critical" : "warning",
      title: `${incident.severity.toUpperCase()} · ${incident.title}`,
      detail: current
        ? `${incident.status === "recovering" ? "Recovering" : "Open"} in ${incident.environment}; now: ${current.phase.title} (${plural(current.timer.uncheckedCount, "item")} left${clock ? `, ${clock}` : ""}).`
        : `${incident.status === "recovering" ? "Recovering" : "Open"} in ${incident.environment}; every checklist item is done: close it with a review.`,
      environment: incident.environment,
      since: incident.startedAt.toISOString(),
      action: { label: "Open the incident", href: `/incidents/${incident.id}` },
    };
  });
}

/** Everything Overview should put in front of a person, most urgent first (oldest first within a rank). */
export async function needsAttention({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: { workerOk: boolean; workerDetail: string; alerts: readonly AlertView[]; approvals: readonly ApprovalView[]; now?: Date };
}): Promise<AttentionItem[]> {
  const now = input.now ?? new Date();
  const items: AttentionItem[] = [
    ...(input.workerOk
      ? []
      : [
          {
            key: "worker",
            rank: RANK.workerDown,
            tone: "critical" as const,
            title: "No worker is running",
            detail: `${input.workerDetail} Restores, verifications, drills and catalog refreshes wait until one is back.`,
            environment: null,
            since: null,
            action: { label: "See the worker on Settings", href: "/settings" },
          },
        ]),
    ...(await runsAwaitingPerson(ctx)),
    ...approvalItems(input.approvals),
    ...(await promotionItems(ctx, now)),
    ...(await incidentItems(ctx, now)),
    ...alertItems(input.alerts),
  ];
  return items.sort((a, b) => a.rank - b.rank || (a.since ?? "").localeCompare(b.since ?? ""));
}

/** Restores and drills queued or running now, with their step and progress. */
export async function listRunningRuns({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<RunningRunView[]> {
  const runs = await ctx.db.restoreRun.findMany({
    where: { status: { in: ["queued", "running"] } },
    include: { steps: { select: { name: true, status: true, position: true, startedAt: true } } },
    orderBy: { createdAt: "asc" },
  });
  return runs.map((run) => {
    const view = restoreRunView(run, run.steps);
    // The swap after a restore must not show the restore's last 100 %.
    const progress: RestoreProgressView | null = progressOfRunningStep(
      view.progress,
      view,
      run.steps.map((step) => ({ name: step.name, status: step.status, startedAt: step.startedAt?.toISOString() ?? null })),
    );
    return {
      id: run.id,
      kind: run.kind,
      environment: run.environment,
      targetName: run.targetName,
      what: view.backupName,
      status: view.status,
      currentStep: view.currentStep,
      percent: progress?.percent ?? null,
      startedAt: view.startedAt ?? view.createdAt,
      requestedByEmail: run.requestedByEmail,
    };
  });
}
