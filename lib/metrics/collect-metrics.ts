import { Gauge, Histogram, Registry } from "prom-client";
import { loadConfig } from "@/lib/config/load-config";
import type { SessionUser } from "@/lib/auth/roles";
import type { Ctx } from "@/lib/db/ctx";
import { getReplicaHealth } from "@/lib/backups/replica-health";
import { WORKER_STALE_AFTER_SECONDS } from "@/lib/health/get-health";
import { queueDepths } from "@/lib/jobs/enqueue-job";
import { drillViewOf } from "@/lib/restore/drill/list-drills";
import { describePitrLags } from "@/lib/restore/pitr/describe-pitr-window";

// What Prometheus scrapes (GET /api/metrics): read from the app's database and the environments'
// PITR sources at each scrape, into a registry of its own, so a scrape shows the state now.

const PREFIX = "restore_console_";
/** Steps finished within this many days make up the step-duration histogram. */
const STEP_DAYS = 30;
const MAX_STEPS = 20_000;
/** A PITR source that does not describe its window in time is reported as down, not waited for. */
const PITR_TIMEOUT_MS = 5_000;
/** A worker silent for longer than this is no longer a series of its own (workers_alive still counts). */
const HEARTBEAT_SERIES_MS = 3_600_000;
const STEP_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400];

const seconds = (from: Date, to: Date) => Math.max(0, (to.getTime() - from.getTime()) / 1000);

/** The metrics in Prometheus's text format, and its content type. */
export async function collectMetrics({ ctx }: { ctx: Ctx<SessionUser | null> }): Promise<{ text: string; contentType: string }> {
  const now = new Date();
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });
  const environments = loadConfig().config.environments;

  const backupAge = gauge("backup_age_seconds", "Age of the newest backup in the catalog (kind=newest) and of the newest verified one.", [
    "environment",
    "kind",
  ]);
  const freshness = gauge("backup_freshness_objective_seconds", "The environment's backup freshness objective.", ["environment"]);
  const verificationOk = gauge(
    "last_verification_success",
    "1 when the newest finished checksum verification matched, 0 when it did not.",
    ["environment"],
  );
  const verificationAt = gauge("last_verification_timestamp_seconds", "When the newest checksum verification finished.", ["environment"]);
  for (const environment of environments.filter((e) => e.backupStore)) {
    const name = environment.name;
    freshness.set({ environment: name }, environment.backupFreshness.maxAgeHours * 3600);
    const live = { environment: name, removedAt: null };
    const [newest, verified, verification] = await Promise.all([
      ctx.db.backup.findFirst({ where: live, orderBy: { takenAt: "desc" }, select: { takenAt: true } }),
      ctx.db.backup.findFirst({
        where: { ...live, verificationState: "verified" },
        orderBy: { takenAt: "desc" },
        select: { takenAt: true },
      }),
      ctx.db.backupVerification.findFirst({
        where: { backup: { environment: name }, status: { in: ["verified", "mismatch", "failed"] } },
        orderBy: { finishedAt: "desc" },
        select: { status: true, finishedAt: true },
      }),
    ]);
    // None at all is infinitely old, so an alerting rule on the age fires for it too.
    backupAge.set({ environment: name, kind: "newest" }, newest ? seconds(newest.takenAt, now) : Infinity);
    backupAge.set({ environment: name, kind: "newest_verified" }, verified ? seconds(verified.takenAt, now) : Infinity);
    if (verification?.finishedAt) {
      verificationOk.set({ environment: name }, verification.status === "verified" ? 1 : 0);
      verificationAt.set({ environment: name }, verification.finishedAt.getTime() / 1000);
    }
  }

  const replicaAge = gauge(
    "backup_replica_age_seconds",
    "Age of the newest backup each replica holds exactly as the primary does (the replica's freshness).",
    ["environment", "replica"],
  );
  const replicaListed = gauge("backup_replica_listed_timestamp_seconds", "When each replica was last listed successfully.", [
    "environment",
    "replica",
  ]);
  for (const environment of environments) {
    for (const replica of await getReplicaHealth({ ctx, input: { environment, now } })) {
      const labels = { environment: environment.name, replica: replica.name };
      // No exact copy at all is infinitely old, as for the primary.
      replicaAge.set(labels, replica.newestCopy ? seconds(new Date(replica.newestCopy.takenAt), now) : Infinity);
      if (replica.listing?.okAt) replicaListed.set(labels, Date.parse(replica.listing.okAt) / 1000);
    }
  }

  const drillLabels = ["environment", "method"];
  const drillOk = gauge("last_drill_success", "1 when the newest finished drill passed, 0 when it failed or was interrupted.", drillLabels);
  const drillAt = gauge("last_drill_timestamp_seconds", "When the newest finished drill ended.", drillLabels);
  const drillPassedAt = gauge("last_successful_drill_timestamp_seconds", "When the newest passed drill ended.", drillLabels);
  const drillDuration = gauge(
    "last_drill_duration_seconds",
    "The newest passed drill's time from its start to a validated copy (what the RTO objective is about).",
    drillLabels,
  );
  const drillObjective = gauge("drill_rto_objective_seconds", "The longest restore the method's RTO objective allows.", drillLabels);
  for (const environment of environments) {
    const drills = environment.drills;
    if (!drills) continue;
    const methods = [...(drills.target ? (["logical"] as const) : []), ...(drills.pitr ? (["pitr"] as const) : [])];
    for (const method of methods) {
      const labels = { environment: environment.name, method };
      drillObjective.set(labels, environment.objectives.rto[method].maxMinutes * 60);
      const newestOf = (status: string[]) =>
        ctx.db.restoreRun.findFirst({
          // The plan's kind says what the drill restored: a dump (logical) or the PITR source.
          where: { kind: "drill", environment: environment.name, status: { in: status }, plan: { path: ["kind"], equals: method } },
          orderBy: { finishedAt: "desc" },
          include: { steps: true },
        });
      const [finished, passed] = await Promise.all([newestOf(["succeeded", "failed", "interrupted"]), newestOf(["succeeded"])]);
      if (finished?.finishedAt) {
        drillOk.set(labels, finished.status === "succeeded" ? 1 : 0);
        drillAt.set(labels, finished.finishedAt.getTime() / 1000);
      }
      if (passed?.finishedAt) {
        drillPassedAt.set(labels, passed.finishedAt.getTime() / 1000);
        const { durationMs } = drillViewOf(passed);
        if (durationMs !== null) drillDuration.set(labels, durationMs / 1000);
      }
    }
  }

  const runs = gauge("runs", "Restore runs by kind and status.", ["kind", "status"]);
  const grouped = await ctx.db.restoreRun.groupBy({ by: ["kind", "status"], _count: { _all: true } });
  for (const group of grouped) runs.set({ kind: group.kind, status: group.status }, group._count._all);

  const stepDurations = new Histogram({
    name: `${PREFIX}step_duration_seconds`,
    help: `Durations of restore steps that finished in the last ${STEP_DAYS} days, by kind of run, step and outcome.`,
    labelNames: ["kind", "step", "status"],
    buckets: STEP_BUCKETS,
    registers: [registry],
  });
  const steps = await ctx.db.restoreStep.findMany({
    where: { finishedAt: { gte: new Date(now.getTime() - STEP_DAYS * 86_400_000) }, startedAt: { not: null } },
    select: { name: true, status: true, startedAt: true, finishedAt: true, run: { select: { kind: true } } },
    orderBy: { finishedAt: "desc" },
    take: MAX_STEPS,
  });
  for (const step of steps) {
    if (step.startedAt && step.finishedAt) {
      stepDurations.observe({ kind: step.run.kind, step: step.name, status: step.status }, seconds(step.startedAt, step.finishedAt));
    }
  }

  const heartbeatAge = gauge("worker_heartbeat_age_seconds", "Seconds since each worker's last heartbeat.", ["worker", "hostname"]);
  const workersAlive = gauge("workers_alive", `Workers whose heartbeat is under ${WORKER_STALE_AFTER_SECONDS} s old.`);
  // Workers seen in the last hour: every restart is a new worker id, and old rows must not pile up as series.
  const heartbeats = await ctx.db.workerHeartbeat.findMany({ where: { beatAt: { gte: new Date(now.getTime() - HEARTBEAT_SERIES_MS) } } });
  let alive = 0;
  for (const beat of heartbeats) {
    const age = seconds(beat.beatAt, now);
    heartbeatAge.set({ worker: beat.workerId, hostname: beat.hostname }, age);
    if (age < WORKER_STALE_AFTER_SECONDS) alive += 1;
  }
  workersAlive.set(alive);

  const pitrLag = gauge("pitr_window_lag_seconds", "How far the latest restorable time lags behind now, per environment with PITR.", [
    "environment",
  ]);
  const pitrUp = gauge("pitr_window_up", "1 when the environment's PITR source described its restore window at this scrape.", [
    "environment",
  ]);
  const pitrObjective = gauge("pitr_rpo_objective_seconds", "The environment's PITR recovery-point objective.", ["environment"]);
  const lags = await describePitrLags(ctx, environments, PITR_TIMEOUT_MS);
  for (const environment of environments.filter((e) => e.pitr)) {
    const labels = { environment: environment.name };
    pitrObjective.set(labels, environment.objectives.rpo.pitr.minutes * 60);
    const lag = lags.get(environment.name);
    pitrUp.set(labels, lag instanceof Error ? 0 : 1);
    if (typeof lag === "number") pitrLag.set(labels, lag);
  }

  const depth = gauge("queue_depth", "Jobs waiting in each queue (not yet running).", ["queue"]);
  for (const { queue, waiting } of await queueDepths()) depth.set({ queue }, waiting);

  return { text: await registry.metrics(), contentType: registry.contentType };
}
