import { SYSTEM, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import { defaultEnvironment, loadConfig } from "@/lib/config/load-config";
import { describePitrLags } from "@/lib/restore/pitr/describe-pitr-window";
import type { DbOrTx } from "@/lib/db/client";
import { isClient, type Ctx } from "@/lib/db/ctx";
import type { Alert } from "@/lib/generated/prisma/client";
import { alertMessage, notify } from "@/lib/incidents/notify";
import { ALERT_RULES, RULE_CHECKS, type Finding } from "./rules";

/** One evaluation at a time, across processes: another that finds it taken skips its turn. */
const EVALUATION_LOCK = 7_460_001;
/** The rules run inside the transaction: queries of the app's own database. */
const EVALUATION_TIMEOUT_MS = 30_000;

/** A PITR source gets this long to describe its window before it counts as not answering. */
const PITR_TIMEOUT_MS = 10_000;

export interface AlertChanges {
  fired: Alert[];
  resolved: Alert[];
}

const keyOf = (alert: { rule: string; subject: string }) => `${alert.rule}:${alert.subject}`;

/**
 * Evaluates every rule and brings the open alerts in line, in one transaction: a finding without
 * an open alert fires one, an open alert without its finding resolves. Each change is audited,
 * then sent by webhook (to its environment's, or the default environment's for a system-wide one). A rule
 * that could not tell leaves its alerts as they are. Safe to call from every process, whenever.
 */
export async function evaluateAlerts({ ctx, now = new Date() }: { ctx: Ctx<SessionUser | null>; now?: Date }): Promise<AlertChanges> {
  const { config } = loadConfig();
  const environments = config.environments;
  // Asked before the lock, all at once: a slow source must not hold the evaluation's transaction.
  const pitrLags = await describePitrLags(ctx, environments, PITR_TIMEOUT_MS);

  // The rules are read inside the lock, so an evaluation never applies what it saw before
  // another one, which saw later, applied its own.
  const evaluate = async (tx: DbOrTx): Promise<AlertChanges> => {
    const [row] = await tx.$queryRaw<Array<{ locked: boolean }>>`SELECT pg_try_advisory_xact_lock(${EVALUATION_LOCK}) AS locked`;
    if (!row?.locked) return { fired: [], resolved: [] }; // Another process is evaluating right now.
    const open = await tx.alert.findMany({ where: { resolvedAt: null } });
    const findings = new Map<string, Finding>();
    const unknown = new Set<string>();
    for (const rule of ALERT_RULES) {
      const watched = new Set(open.filter((alert) => alert.rule === rule).map((alert) => alert.subject));
      const found = await RULE_CHECKS[rule]({ ...ctx, db: tx }, { environments, now, open: watched, pitrLags });
      if (found === null) unknown.add(rule);
      for (const finding of found ?? []) findings.set(keyOf(finding), finding);
    }
    const openKeys = new Set(open.map(keyOf));
    const fired: Alert[] = [];
    for (const [key, finding] of findings) {
      if (openKeys.has(key)) continue;
      const alert = await tx.alert.create({ data: { ...finding, openKey: key, firedAt: now } });
      await recordAuditEvent(tx, {
        actor: SYSTEM,
        action: "alert.fire",
        subject: { type: "alert", id: alert.id },
        payload: { rule: alert.rule, subject: alert.subject, environment: alert.environment, severity: alert.severity, title: alert.title },
        requestId: ctx.requestId,
      });
      fired.push(alert);
    }
    const resolved: Alert[] = [];
    for (const alert of open) {
      const still = findings.get(keyOf(alert));
      // Still holding: its words follow the facts ("31 h old", not the "25 h" it fired with); no new message.
      if (still && (still.detail !== alert.detail || still.title !== alert.title)) {
        await tx.alert.update({ where: { id: alert.id }, data: { title: still.title, detail: still.detail } });
      }
      if (still || unknown.has(alert.rule)) continue;
      const done = await tx.alert.update({ where: { id: alert.id }, data: { resolvedAt: now, openKey: null } });
      await recordAuditEvent(tx, {
        actor: SYSTEM,
        action: "alert.resolve",
        subject: { type: "alert", id: alert.id },
        payload: { rule: alert.rule, subject: alert.subject, environment: alert.environment, title: alert.title },
        requestId: ctx.requestId,
      });
      resolved.push(done);
    }
    return { fired, resolved };
  };
  const changes = isClient(ctx.db) ? await ctx.db.$transaction(evaluate, { timeout: EVALUATION_TIMEOUT_MS }) : await evaluate(ctx.db);

  // After the commit: a webhook never holds back, or undoes, the alert itself.
  const send = async (alert: Alert, event: "alert-fired" | "alert-resolved") => {
    // One about the whole system goes to the default environment's webhook, once.
    const environment = alert.environment ?? defaultEnvironment(config).name;
    await notify({ ctx, input: { environment, incidentId: null, event, message: alertMessage(event, alert) } });
  };
  for (const alert of changes.fired) await send(alert, "alert-fired");
  for (const alert of changes.resolved) await send(alert, "alert-resolved");
  return changes;
}

export interface AlertView {
  id: string;
  rule: string;
  environment: string | null;
  severity: "critical" | "warning";
  title: string;
  detail: string;
  href: string | null;
  firedAt: string;
}

/** The open alerts, critical first, newest first. */
export async function listOpenAlerts({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<AlertView[]> {
  const open = await ctx.db.alert.findMany({ where: { resolvedAt: null }, orderBy: { firedAt: "desc" } });
  return open
    .map((alert) => ({
      id: alert.id,
      rule: alert.rule,
      environment: alert.environment,
      severity: alert.severity === "critical" ? ("critical" as const) : ("warning" as const),
      title: alert.title,
      detail: alert.detail,
      href: alert.href,
      firedAt: alert.firedAt.toISOString(),
    }))
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "critical" ? -1 : 1));
}
