import type { SessionUser } from "@/lib/auth/roles";
import type { EnvironmentConfig } from "@/lib/config/schema";
import type { Ctx } from "@/lib/db/ctx";
import { getReplicaHealth } from "@/lib/backups/replica-health";
import { formatAge } from "@/lib/format";

// The alert rules, each a query of what holds now. A rule that could not tell (its source did not
// answer) says so, and its open alerts are left as they are rather than resolved by mistake.

export const ALERT_RULES = [
  "backup-stale",
  "backup-manifest",
  "verification-failed",
  "run-failed",
  "drill-not-started",
  "worker-down",
  "pitr-lag",
  "pitr-unreachable",
  "replica-stale",
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface Finding {
  rule: AlertRule;
  subject: string;
  environment: string | null;
  severity: "critical" | "warning";
  title: string;
  detail: string;
  href: string | null;
}

/** A worker whose heartbeat is older than this is dead (the issue's two minutes). */
export const WORKER_DEAD_AFTER_MS = 2 * 60_000;
/** Backups first seen this recently count as new: older history does not raise alerts. */
const NEW_BACKUP_MS = 7 * 24 * 3_600_000;
/** A failed run raises an alert for this long, unless a later run of the same target succeeds. */
const FAILED_RUN_MS = 24 * 3_600_000;

type RuleCtx = Ctx<SessionUser | null>;

/** What every rule is given: the configuration, the time, and what is already known. */
export interface RuleInput {
  environments: readonly EnvironmentConfig[];
  now: Date;
  /** The subjects of the rule's open alerts: they stay under watch until their condition clears, however old. */
  open: ReadonlySet<string>;
  /** Each PITR environment's window lag in seconds (null: none yet), or an Error when its source did not answer. */
  pitrLags: ReadonlyMap<string, number | null | Error>;
}

/** The rule's findings, or null when it could not tell. */
type RuleCheck = (ctx: RuleCtx, input: RuleInput) => Promise<Finding[] | null>;

const hours = (from: Date, to: Date) => (to.getTime() - from.getTime()) / 3_600_000;

const backupStale: RuleCheck = async (ctx, { environments, now }) => {
  const findings: Finding[] = [];
  // Only environments with a store have backups to be fresh.
  for (const environment of environments.filter((e) => e.backupStore)) {
    const newest = await ctx.db.backup.findFirst({
      where: { environment: environment.name, removedAt: null },
      orderBy: { takenAt: "desc" },
      select: { name: true, takenAt: true },
    });
    const objective = environment.backupFreshness.maxAgeHours;
    if (newest && hours(newest.takenAt, now) <= objective) continue;
    findings.push({
      rule: "backup-stale",
      subject: environment.name,
      environment: environment.name,
      severity: "critical",
      title: `Backups of ${environment.name} are not fresh`,
      detail: newest
        ? `The newest backup, ${newest.name}, is ${formatAge(hours(newest.takenAt, now))} old; the freshness objective is ${objective} h.`
        : `There is no backup in the catalog; the freshness objective is ${objective} h.`,
      href: "/backups",
    });
  }
  return findings;
};

/** New backups, and those an open alert is about, whatever their age: an alert resolves when its cause clears, not by ageing. */
const watchedBackups = ({ environments, now, open }: RuleInput) => ({
  environment: { in: environments.map((e) => e.name) },
  removedAt: null,
  OR: [{ firstSeenAt: { gte: new Date(now.getTime() - NEW_BACKUP_MS) } }, { id: { in: [...open] } }],
});

const backupManifest: RuleCheck = async (ctx, input) => {
  const backups = await ctx.db.backup.findMany({
    where: { ...watchedBackups(input), manifestState: { not: "present" } },
    select: { id: true, name: true, environment: true, manifestState: true, manifestError: true },
  });
  return backups.map((backup) => ({
    rule: "backup-manifest" as const,
    subject: backup.id,
    environment: backup.environment,
    severity: "warning" as const,
    title: `${backup.name} has no usable manifest`,
    detail: `Its manifest is ${backup.manifestState}${backup.manifestError ? `: ${backup.manifestError}` : ""}. Without it the checksum cannot be verified.`,
    href: `/backups/${backup.id}`,
  }));
};

const verificationFailed: RuleCheck = async (ctx, input) => {
  const backups = await ctx.db.backup.findMany({
    where: watchedBackups(input),
    select: {
      id: true,
      name: true,
      environment: true,
      verifications: {
        where: { status: { in: ["verified", "mismatch", "failed"] } },
        orderBy: { finishedAt: "desc" },
        take: 1,
        select: { status: true, error: true },
      },
    },
  });
  return backups.flatMap((backup) => {
    const last = backup.verifications[0];
    if (!last || last.status === "verified") return [];
    const mismatch = last.status === "mismatch";
    return [
      {
        rule: "verification-failed" as const,
        subject: backup.id,
        environment: backup.environment,
        severity: mismatch ? ("critical" as const) : ("warning" as const),
        title: mismatch ? `${backup.name}: checksum mismatch` : `${backup.name}: verification failed`,
        detail: last.error ?? (mismatch ? "Its checksum does not match its manifest. Do not restore it." : "It could not be read."),
        href: `/backups/${backup.id}`,
      },
    ];
  });
};

const RUN_NAMES: Readonly<Record<string, string>> = {
  pitr: "A point-in-time restore",
  logical: "A logical restore",
  drill: "A restore drill",
};

const runFailed: RuleCheck = async (ctx, { environments, now, open }) => {
  const failed = await ctx.db.restoreRun.findMany({
    where: {
      environment: { in: environments.map((e) => e.name) },
      // A worker that died mid-restore ends its run interrupted: as much a failure to hear about.
      status: { in: ["failed", "interrupted"] },
      OR: [{ finishedAt: { gte: new Date(now.getTime() - FAILED_RUN_MS) } }, { id: { in: [...open] } }],
    },
    select: { id: true, kind: true, status: true, environment: true, targetName: true, finishedAt: true, error: true },
  });
  const findings: Finding[] = [];
  for (const run of failed) {
    const recovered = await ctx.db.restoreRun.findFirst({
      where: {
        environment: run.environment,
        targetName: run.targetName,
        kind: run.kind,
        status: "succeeded",
        createdAt: { gt: run.finishedAt ?? now },
      },
      select: { id: true },
    });
    if (recovered) continue;
    findings.push({
      rule: "run-failed",
      subject: run.id,
      environment: run.environment,
      severity: "warning",
      title: `${RUN_NAMES[run.kind] ?? `A ${run.kind} run`} onto ${run.targetName} ${run.status === "interrupted" ? "was interrupted" : "failed"}`,
      detail: run.error ?? "The run failed; its page says where and why.",
      href: `/restores/${run.id}`,
    });
  }
  return findings;
};

/** A scheduled drill that could not start (no verified backup, its target busy) is a drill that did not prove anything. */
const drillNotStarted: RuleCheck = async (ctx, { environments }) => {
  const schedules = await ctx.db.drillSchedule.findMany({
    where: { environment: { in: environments.filter((e) => e.drills).map((e) => e.name) }, lastError: { not: null } },
  });
  return schedules.map((schedule) => ({
    rule: "drill-not-started",
    subject: schedule.environment,
    environment: schedule.environment,
    severity: "warning",
    title: `The scheduled drill of ${schedule.environment} did not start`,
    detail: schedule.lastError ?? "",
    href: "/drills",
  }));
};

const workerDown: RuleCheck = async (ctx, { now }) => {
  const newest = await ctx.db.workerHeartbeat.findFirst({ orderBy: { beatAt: "desc" }, select: { beatAt: true, hostname: true } });
  if (newest && now.getTime() - newest.beatAt.getTime() <= WORKER_DEAD_AFTER_MS) return [];
  return [
    {
      rule: "worker-down",
      subject: "all",
      environment: null,
      severity: "critical",
      title: "No worker is running",
      detail: newest
        ? `The last heartbeat, from ${newest.hostname}, is ${Math.round((now.getTime() - newest.beatAt.getTime()) / 60_000)} min old: restores, verifications and catalog refreshes wait.`
        : "No worker has ever sent a heartbeat: restores, verifications and catalog refreshes wait.",
      href: "/settings",
    },
  ];
};

const pitrLag: RuleCheck = async (_ctx, { environments, pitrLags, open }) => {
  const findings: Finding[] = [];
  for (const environment of environments.filter((e) => e.pitr)) {
    const lag = pitrLags.get(environment.name);
    const objective = environment.objectives.rpo.pitr.minutes * 60;
    const finding: Finding = {
      rule: "pitr-lag",
      subject: environment.name,
      environment: environment.name,
      severity: "critical",
      title: `The PITR window of ${environment.name} stopped advancing`,
      detail: `The latest restorable time is ${typeof lag === "number" ? Math.round(lag / 60) : "?"} min behind now; the PITR recovery-point objective is ${objective / 60} min.`,
      href: "/restores/pitr",
    };
    // Unknown (the source did not answer) is not fine: an open alert stays open.
    if (lag instanceof Error || lag === undefined) {
      if (open.has(environment.name)) findings.push(finding);
    } else if (lag !== null && lag > objective) findings.push(finding);
  }
  return findings;
};

const pitrUnreachable: RuleCheck = async (_ctx, { environments, pitrLags }) =>
  environments.flatMap((environment) => {
    const lag = pitrLags.get(environment.name);
    if (!(lag instanceof Error)) return [];
    return [
      {
        rule: "pitr-unreachable" as const,
        subject: environment.name,
        environment: environment.name,
        severity: "warning" as const,
        title: `The PITR source of ${environment.name} does not answer`,
        detail: `Its restore window could not be described: ${lag.message}. Point-in-time restores and the window's lag cannot be checked.`,
        href: "/restores/pitr",
      },
    ];
  });

/** A replica that could not serve a regional failure now: no exact copy within the freshness objective. */
const replicaStale: RuleCheck = async (ctx, { environments, now }) => {
  const findings: Finding[] = [];
  for (const environment of environments) {
    for (const replica of await getReplicaHealth({ ctx, input: { environment, now } })) {
      if (replica.status !== "red") continue;
      findings.push({
        rule: "replica-stale",
        subject: `${environment.name}/${replica.name}`,
        environment: environment.name,
        severity: "warning",
        title: `The backup replica ${replica.label} of ${environment.name} is stale`,
        detail: replica.summary,
        href: "/backups",
      });
    }
  }
  return findings;
};

export const RULE_CHECKS: Readonly<Record<AlertRule, RuleCheck>> = {
  "backup-stale": backupStale,
  "backup-manifest": backupManifest,
  "verification-failed": verificationFailed,
  "run-failed": runFailed,
  "drill-not-started": drillNotStarted,
  "worker-down": workerDown,
  "pitr-lag": pitrLag,
  "pitr-unreachable": pitrUnreachable,
  "replica-stale": replicaStale,
};
