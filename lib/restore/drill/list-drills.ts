import { z } from "zod";
import type { SessionUser } from "@/lib/auth/roles";
import { loadConfig } from "@/lib/config/load-config";
import type { Ctx } from "@/lib/db/ctx";
import type { RestoreRun, RestoreStep } from "@/lib/generated/prisma/client";
import { nextCronFire } from "@/lib/jobs/cron-schedule";
import { readDrillPlan } from "../read-plan";
import { addDays, resolvePeriod, utcDayOf } from "./drill-period";
import type { PitrDrillPlan } from "./plan";
import { drillOutcomeOf, type DrillEnvironmentView, type DrillRowCount, type DrillsOverview, type DrillView } from "./drill-model";

export const DEFAULT_DRILL_PERIOD_DAYS = 90;

const emptyToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const DateOnly = z.preprocess(emptyToUndefined, z.iso.date("must be a date like 2026-11-24").optional());

export const ListDrillsInput = z
  .object({
    environment: z.preprocess(emptyToUndefined, z.string().max(63).optional()),
    /** The period's first day (UTC); default 90 days before `to`. */
    from: DateOnly,
    /** The period's last day (UTC), included; default today. */
    to: DateOnly,
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, { message: "from must not be after to", path: ["from"] });
export type ListDrillsInput = z.input<typeof ListDrillsInput>;

/** The period as instants: its first day's 00:00 UTC up to the end of its last day (default: the last 90 days). */
function periodInstants(input: { from?: string; to?: string }, now: Date): { from: Date; until: Date } {
  const period = resolvePeriod(input, utcDayOf(now), DEFAULT_DRILL_PERIOD_DAYS);
  return { from: new Date(`${period.from}T00:00:00Z`), until: new Date(`${addDays(period.to, 1)}T00:00:00Z`) };
}

/** The time a PITR drill restores to (a drill always picks a time, never "latest"). */
function pitrTime(plan: PitrDrillPlan): string {
  return plan.target.kind === "time" ? plan.target.time : (plan.window.latest ?? plan.window.describedAt);
}

const span = (step: RestoreStep | undefined) =>
  step?.startedAt && step.finishedAt ? step.finishedAt.getTime() - step.startedAt.getTime() : null;

function checksOf(output: unknown): DrillView["checks"] {
  const o = output as { checks?: unknown; failed?: unknown; warnings?: unknown } | null;
  if (typeof o?.checks !== "number") return null;
  const names = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return { total: o.checks, failed: names(o.failed), warnings: names(o.warnings) };
}

function rowCountsOf(output: unknown): DrillRowCount[] {
  const rows = (output as { rowCounts?: unknown } | null)?.rowCounts;
  return Array.isArray(rows) ? (rows as DrillRowCount[]) : [];
}

/** A drill run as the page, the report and the metrics read it. */
export function drillViewOf(run: RestoreRun & { steps: RestoreStep[] }): DrillView {
  const plan = readDrillPlan(run);
  const info = plan.drill;
  const step = (name: string) => run.steps.find((s) => s.name === name);
  const validate = step("validate");
  const drop = step("drop");
  const validated = run.status === "succeeded" || (validate?.status === "succeeded" && run.validationPassed === true);
  const durationMs = validated && run.startedAt && validate?.finishedAt ? validate.finishedAt.getTime() - run.startedAt.getTime() : null;
  return {
    id: run.id,
    environment: run.environment,
    status: run.status,
    outcome: drillOutcomeOf(run.status),
    trigger: info.trigger,
    startedBy: info.startedBy,
    scheduledFor: info.scheduledFor,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    method: plan.kind,
    backup:
      plan.kind === "logical"
        ? { id: run.backupId, name: plan.source.name, takenAt: plan.source.takenAt }
        : {
            id: null,
            name: `PITR of ${plan.source.database}`,
            takenAt: run.restorePointAt?.toISOString() ?? pitrTime(plan),
          },
    backupChoice: info.backupChoice,
    target: run.targetName,
    scratchDatabase: run.scratchDatabase,
    durationMs,
    restoreMs: span(step("restore")),
    validateMs: span(validate),
    rtoMaxMinutes: info.rtoMaxMinutes,
    withinRto: durationMs === null ? null : durationMs <= info.rtoMaxMinutes * 60_000,
    checks: checksOf(validate?.output),
    rowCounts: rowCountsOf(validate?.output),
    copyDropped: drop?.status === "succeeded",
    error: run.error,
  };
}

/** Drill runs of the period (newest first), with their steps. */
export async function findDrillRuns(ctx: Ctx<SessionUser | null>, where: { environment?: string; from: Date; until: Date }) {
  return ctx.db.restoreRun.findMany({
    where: {
      kind: "drill",
      ...(where.environment ? { environment: where.environment } : {}),
      createdAt: { gte: where.from, lt: where.until },
    },
    include: { steps: { orderBy: { position: "asc" } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 2000,
  });
}

/**
 * Every environment's drills in a period (default: the last 90 days), with its schedule and the
 * next time it fires. Environments without drills configured are listed only if they have drills.
 */
export async function listDrills({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx<SessionUser | null>;
  input: ListDrillsInput;
  now?: Date;
}): Promise<DrillsOverview> {
  const parsed = ListDrillsInput.parse(input);
  const { from, until } = periodInstants(parsed, now);
  const environments = loadConfig().config.environments.filter((e) => !parsed.environment || e.name === parsed.environment);
  const [runs, schedules] = await Promise.all([
    findDrillRuns(ctx, { ...(parsed.environment ? { environment: parsed.environment } : {}), from, until }),
    ctx.db.drillSchedule.findMany(),
  ]);
  const drills = runs.map(drillViewOf);
  const views: DrillEnvironmentView[] = environments
    .map((environment) => {
      const drillsConfig = environment.drills;
      const state = schedules.find((s) => s.environment === environment.name);
      return {
        environment: environment.name,
        schedule: drillsConfig
          ? {
              cron: drillsConfig.schedule,
              timeZone: drillsConfig.timeZone,
              target: drillsConfig.target ?? null,
              pitr: drillsConfig.pitr,
              backup: drillsConfig.backup,
              next: nextCronFire(drillsConfig.schedule, now, drillsConfig.timeZone)?.toISOString() ?? null,
              lastFireAt: state?.lastFireAt.toISOString() ?? null,
              lastError: state?.lastError ?? null,
            }
          : null,
        rtoMaxMinutes: environment.objectives.rto.logical.maxMinutes,
        pitrRtoMaxMinutes: environment.objectives.rto.pitr.maxMinutes,
        drills: drills.filter((d) => d.environment === environment.name),
      };
    })
    .filter((view) => view.schedule !== null || view.drills.length > 0);
  return { from: from.toISOString(), to: until.toISOString(), environments: views };
}
