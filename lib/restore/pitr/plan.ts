import { z } from "zod";
import type { PitrSource } from "@/lib/config/schema";
import type { PitrEndpoint, PitrPreflight, PitrProvider, RecoveryPoint, RestoreWindow } from "@/lib/providers/pitr";
import { formatDuration, formatUtc, plural } from "@/lib/format";
import { DrillInfo, PLAN_VERSION, planStepOf } from "../logical/plan";
import { drRegionText, PitrDrView, PitrRegion } from "./dr";

// A point-in-time restore's plan, as pure data: the target time, the window it was checked
// against, the predicted data loss, the steps and the cutover guidance. Built before anything
// runs (the person reads it), stored with the run, and shared with the picker page.

export const PITR_STEP_NAMES = [
  "preflight",
  "restore",
  "writer",
  "wait",
  "connectivity",
  "validate",
  "ready-for-cutover",
  "drop",
  "cleanup",
] as const;
export type PitrStepName = (typeof PITR_STEP_NAMES)[number];

/** A restore ends ready for a person's cutover; a drill deletes what it restored instead. */
function pitrStepNamesFor(drill: boolean): PitrStepName[] {
  return PITR_STEP_NAMES.filter((name) => (drill ? name !== "ready-for-cutover" && name !== "cleanup" : name !== "drop"));
}

/** Every phase has a limit, so a run never hangs silently; RDS restores of large clusters take hours. */
export const PITR_STEP_TIMEOUTS_MS: Readonly<Record<PitrStepName, number>> = {
  preflight: 2 * 60_000,
  restore: 2 * 60 * 60_000,
  writer: 15 * 60_000,
  wait: 3 * 60 * 60_000,
  connectivity: 2 * 60_000,
  validate: 10 * 60_000,
  "ready-for-cutover": 60_000,
  drop: 30 * 60_000,
  cleanup: 30 * 60_000,
};

/** The providers a stored plan may name (the provider interface's kinds, as data). */
const PITR_PROVIDER_KINDS = ["aws-aurora", "aws-rds-instance", "local"] as const satisfies ReadonlyArray<PitrProvider["kind"]>;

/** One PITR restore per environment at a time, in whichever region: the target lock's name. */
export const PITR_TARGET_NAME = "pitr";
/** PITR runs restore into a new server; the source is never replaced. */
export const PITR_MODE = "new-server";
export const DEFAULT_CONNECTIVITY_QUERY = "SELECT count(*) FROM loans";

/** What the person asks for: the newest restorable moment, or a time that carries its offset. */
export const PitrTargetChoice = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("latest") }),
  z.object({
    kind: z.literal("time"),
    time: z.iso.datetime({ offset: true, error: "must be an ISO 8601 time with its UTC offset or Z, e.g. 2026-11-25T14:30:00Z" }),
  }),
]);
export type PitrTargetChoice = z.infer<typeof PitrTargetChoice>;

export function recoveryPointOf(choice: PitrTargetChoice): RecoveryPoint {
  return choice.kind === "latest" ? { kind: "latest" } : { kind: "time", time: new Date(choice.time) };
}

/** "2026-11-25 14:30:00.250 UTC": milliseconds only when there are some. */
const formatUtcExact = (at: Date | string) => formatUtc(at, "exact");

export function pitrTargetLabel(choice: PitrTargetChoice): string {
  return choice.kind === "latest" ? "latest restorable" : formatUtcExact(choice.time);
}

/** The window as JSON (ISO strings), as the page and the stored plan see it. */
export const PitrWindowView = z.object({
  earliest: z.string().nullable(),
  latest: z.string().nullable(),
  lagSeconds: z.number().nullable(),
  describedAt: z.string(),
  notes: z.array(z.string()),
  /** The one snapshot the window is (a copy in the DR region); absent for a span of time. */
  snapshot: z.object({ name: z.string(), takenAt: z.string() }).optional(),
});
export type PitrWindowView = z.infer<typeof PitrWindowView>;

export function pitrWindowView(window: RestoreWindow): PitrWindowView {
  return {
    earliest: window.earliest?.toISOString() ?? null,
    latest: window.latest?.toISOString() ?? null,
    lagSeconds: window.lagSeconds,
    describedAt: window.describedAt.toISOString(),
    notes: window.notes,
    ...(window.snapshot ? { snapshot: { name: window.snapshot.name, takenAt: window.snapshot.takenAt.toISOString() } } : {}),
  };
}

const WINDOW_ADVICE = 'Choose a time inside the restore window, or "latest restorable".';

/**
 * Why `choice` cannot be restored from `window`, or null. The same rule refuses a time in the
 * picker, in the plan and at submit (each against the window it has; the server's is fresh). A
 * window that is one snapshot (a copy in the DR region) takes that snapshot's exact time only.
 * "Latest" is never refused here: the run's preflight says whether anything is restorable.
 */
export function pitrWindowProblem(window: PitrWindowView, choice: PitrTargetChoice): string | null {
  if (choice.kind === "latest") return null;
  const time = new Date(choice.time);
  if (Number.isNaN(time.getTime())) return `${choice.time} is not a time.`;
  if (window.snapshot && time.getTime() !== new Date(window.snapshot.takenAt).getTime()) {
    return `${formatUtcExact(time)} is not the time of ${snapshotCopyText(window)}: a snapshot copy restores to its own time only. Choose that time, or "latest restorable".`;
  }
  if (window.latest === null) {
    return `${formatUtcExact(time)} cannot be checked: the latest restorable time is unknown${window.notes.length ? ` (${window.notes.join(" ")})` : ""}. Only "latest restorable" can be requested now.`;
  }
  if (time > new Date(window.latest)) {
    return `${formatUtcExact(time)} is after the latest restorable time, ${formatUtcExact(window.latest)}. ${WINDOW_ADVICE}`;
  }
  if (window.earliest !== null && time < new Date(window.earliest)) {
    return `${formatUtcExact(time)} is before the earliest restorable time, ${formatUtcExact(window.earliest)}. ${WINDOW_ADVICE}`;
  }
  return null;
}

/** The incident a restore answers, as the plan and the picker use it. */
export const PitrIncidentView = z.object({
  id: z.string(),
  title: z.string(),
  startedAt: z.string(),
  lastKnownGoodAt: z.string().nullable(),
});
export type PitrIncidentView = z.infer<typeof PitrIncidentView>;

export const DataLossView = z.object({
  /** The point the data comes back from: the chosen time, or the window's latest for "latest" (null if unknown). */
  restorePointAt: z.string().nullable(),
  /** Until when changes are lost: the incident's start, else now. */
  until: z.string(),
  untilKind: z.enum(["incident-start", "now"]),
  /** Milliseconds of changes not in the restored data (0 when the point is after `until`); null when the point is unknown. */
  lostMs: z.number().nullable(),
  /** The point is after the incident started: the restored data may already hold the damage. */
  afterIncidentStart: z.boolean(),
  /** The point is after the last time the data was known to be good. */
  afterLastKnownGood: z.boolean(),
});
export type DataLossView = z.infer<typeof DataLossView>;

/** How much is lost between the restore point and the incident's start (or now, without an incident). */
export function predictDataLoss(input: {
  choice: PitrTargetChoice;
  window: PitrWindowView;
  incident: PitrIncidentView | null;
  now: Date;
}): DataLossView {
  const point = input.choice.kind === "time" ? input.choice.time : input.window.latest;
  const until = input.incident ? input.incident.startedAt : input.now.toISOString();
  const pointMs = point === null ? null : new Date(point).getTime();
  return {
    restorePointAt: point === null ? null : new Date(point).toISOString(),
    until: new Date(until).toISOString(),
    untilKind: input.incident ? "incident-start" : "now",
    lostMs: pointMs === null ? null : Math.max(0, new Date(until).getTime() - pointMs),
    afterIncidentStart: pointMs !== null && input.incident !== null && pointMs > new Date(input.incident.startedAt).getTime(),
    afterLastKnownGood:
      pointMs !== null && !!input.incident?.lastKnownGoodAt && pointMs > new Date(input.incident.lastKnownGoodAt).getTime(),
  };
}

/** Where the restored server answers, as people see it: `user@host:port/database`. */
export function endpointText(endpoint: Pick<PitrEndpoint, "host" | "port" | "database" | "user">): string {
  return `${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}`;
}

/**
 * The runbook's cutover ("Update DNS/connection strings if needed") as a checklist for a person:
 * Restore Console never repoints applications itself.
 */
export function cutoverChecklist(input: {
  endpoint: Pick<PitrEndpoint, "host" | "port" | "database" | "user"> | null;
  sourceDescription: string;
  incident: boolean;
}): string[] {
  const where = input.endpoint ? endpointText(input.endpoint) : "the restored endpoint (shown when the run succeeds)";
  return [
    `Stop writes to the damaged source (${input.sourceDescription}) so nothing more is written there.`,
    `Update connection strings/DNS: point the application at ${where}.`,
    "Check the application reads the restored data and can write; run its smoke test.",
    ...(input.incident ? ["Tick “Update DNS/connection strings if needed” on the incident."] : []),
    "Once traffic has moved, mark this run as cut over: clean-up is then refused, so the restored server cannot be deleted from here.",
  ];
}

/** The source as people name it: "loanserve on 127.0.0.1:54329 (WAL archive …)", "Aurora cluster … (us-east-1)". */
export function describePitrSource(source: PitrSource): string {
  if (source.provider === "local") return `${source.database} on ${source.host}:${source.port} (WAL archive ${source.archiveDir})`;
  return source.engine === "aurora-postgresql"
    ? `Aurora cluster ${source.clusterIdentifier} (${source.region})`
    : `RDS instance ${source.instanceIdentifier} (${source.region})`;
}

export const PitrPlanStep = planStepOf(z.enum(PITR_STEP_NAMES));
export type PitrPlanStep = z.infer<typeof PitrPlanStep>;

/** The provider's preflight as stored with the plan (the provider's PitrPreflight). */
const StoredPitrPreflight = z.object({
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })),
});

/** The stored shape of a point-in-time restore's plan; versioned like the logical one (see read-plan.ts). */
export const PitrRestorePlan = z.object({
  version: z.literal(PLAN_VERSION).default(PLAN_VERSION),
  kind: z.literal("pitr"),
  environment: z.object({ name: z.string(), protected: z.boolean() }),
  source: z.object({ provider: z.enum(PITR_PROVIDER_KINDS), description: z.string(), database: z.string(), user: z.string() }),
  target: PitrTargetChoice,
  /** Where it is restored; absent on plans made before DR regions existed (the primary). */
  region: PitrRegion.optional(),
  /** With region "dr": the DR region and what is restored there. */
  dr: PitrDrView.optional(),
  /** The window as described when the plan was made (the run checks it again). */
  window: PitrWindowView,
  incident: PitrIncidentView.nullable(),
  dataLoss: DataLossView,
  /** What the run creates, named from its id so a retry finds them again. */
  identifiers: z.array(z.string()),
  connectivityQuery: z.string(),
  steps: z.array(PitrPlanStep),
  replaces: z.array(z.string()),
  keeps: z.array(z.string()),
  cutover: z.array(z.string()),
  /** What the person types to start: the environment's name. */
  confirmations: z.object({ start: z.string() }),
  validation: z.object({ builtinChecks: z.number(), configuredChecks: z.number() }),
  /** Null when stored without running the checks (the run's first step does). */
  preflight: StoredPitrPreflight.nullable(),
  /** Present on a drill's plan: it restores, validates and deletes, with no cutover. */
  drill: DrillInfo.optional(),
});
export type PitrRestorePlan = z.infer<typeof PitrRestorePlan>;

export interface BuildPitrPlanInput {
  environment: { name: string; protected: boolean };
  source: PitrSource;
  providerKind: PitrProvider["kind"];
  identifiers: string[];
  choice: PitrTargetChoice;
  /** Set to restore in the DR region (see pitrDrOf); absent or null: the source's own region. */
  dr?: PitrDrView | null;
  window: PitrWindowView;
  incident: PitrIncidentView | null;
  now: Date;
  configuredChecks: number;
  builtinChecks: number;
  preflight: PitrPreflight | null;
  /** A drill's plan: the restored server is validated, then deleted (no cutover, no snapshot). */
  drill?: boolean;
}

/** "the snapshot copy "…" taken at …": the one point a copy in the DR region restores to. */
export function snapshotCopyText(window: PitrWindowView): string {
  return window.snapshot
    ? `the snapshot copy "${window.snapshot.name}" taken at ${formatUtcExact(window.snapshot.takenAt)}`
    : "the newest snapshot copy";
}

/** In the DR region nothing is asked of the source's region: what is restored from, and where the new server goes. */
function drRestoreDescription(dr: PitrDrView, first: string, target: string, choice: PitrTargetChoice, window: PitrWindowView): string {
  const where = `in ${drRegionText(dr)}`;
  const placement =
    `into ${first}, tagged with this run, in the dr block's subnet group, security groups and parameter group (else the DR region's defaults), ` +
    `with deletion protection on (only this run's clean-up lifts it). Nothing is asked of ${dr.primaryRegion}. A retry adopts the resource carrying this run's tag.`;
  if (dr.kind === "replicated-backups") {
    return `RestoreDBInstanceToPointInTime ${where} from the automated backups replicated there, to ${target}, ${placement}`;
  }
  const copy =
    choice.kind === "latest"
      ? `the newest snapshot copy when the restore starts (now ${snapshotCopyText(window)})`
      : snapshotCopyText(window);
  return `RestoreDBClusterFromSnapshot ${where} from ${copy}, ${placement} A copy is restored as it is: data written after it is not in it.`;
}

function restoreDescription(
  source: PitrSource,
  identifiers: readonly string[],
  target: string,
  dr: PitrDrView | null,
  choice: PitrTargetChoice,
  window: PitrWindowView,
): string {
  const [first] = identifiers;
  if (dr) return drRestoreDescription(dr, first ?? "a new identifier", target, choice, window);
  if (source.provider === "local") {
    return (
      `Copies the newest base backup finished before ${target} into ${first ?? "this run's folder"} and starts a new PostgreSQL on a free ` +
      "loopback port that replays the WAL archive to that point (recovery_target_time with an explicit +00 offset) and promotes."
    );
  }
  const call = source.engine === "aurora-postgresql" ? "RestoreDBClusterToPointInTime" : "RestoreDBInstanceToPointInTime";
  return (
    `${call} to ${target} into ${first ?? "a new identifier"}, tagged with this run, passing what RDS does not copy (subnet group, security groups, ` +
    "parameter group, KMS key, IAM auth), with deletion protection on (only this run's clean-up lifts it). A retry adopts the resource carrying this run's tag."
  );
}

export function buildPitrPlan(input: BuildPitrPlanInput): PitrRestorePlan {
  const { source, identifiers, choice, window } = input;
  const sourceDescription = describePitrSource(source);
  const target = pitrTargetLabel(choice);
  const connectivityQuery = source.connectivityQuery ?? DEFAULT_CONNECTIVITY_QUERY;
  const writer = identifiers[1];
  const dr = input.dr ?? null;
  const describe: Record<PitrStepName, { title: string; description: string }> = {
    preflight: {
      title: "Preflight checks",
      description: `Describes the restore window again and checks, changing nothing: ${target} is restorable, the ${identifiers.length > 1 ? "names it creates are" : "name it creates is"} free (or already this run's), permissions.`,
    },
    restore: {
      title: dr ? `Restore to ${target} in ${dr.region}` : `Restore to ${target}`,
      description: restoreDescription(source, identifiers, target, dr, choice, window),
    },
    writer: {
      title: "Create the writer",
      description:
        input.providerKind === "aws-aurora" && source.provider === "aws"
          ? `Creates the writer instance ${writer ?? ""} (${source.writerInstanceClass}) in the restored cluster, with ${dr ? "the dr block's parameter group (else the DR region's default)" : "the source's parameter group"}.`
          : "Nothing to create: the restored server takes writes itself.",
    },
    wait: {
      title: "Wait until available",
      description: `Waits (at most ${formatDuration(PITR_STEP_TIMEOUTS_MS.wait)}) until the restored server accepts connections; hard errors (not found, access denied, incompatible parameters) fail at once.`,
    },
    connectivity: {
      title: "Test connectivity",
      description: `Runs ${connectivityQuery} on ${source.database} as ${source.user}, read-only: the runbook's connectivity test.`,
    },
    validate: {
      title: "Validate",
      description: `Runs the runbook's validation queries and ${plural(input.configuredChecks, "configured check")} against the restored database, read-only. ${
        input.drill
          ? "A failure fails the drill, with its results kept; the restored server is deleted all the same."
          : "A failure stops here; the restored server is kept for inspection."
      }`,
    },
    "ready-for-cutover": {
      title: "Ready for cutover (you do it)",
      description:
        "Records the endpoint and hands over: updating connection strings/DNS is yours to do, from the checklist shown with the run. Nothing is repointed automatically.",
    },
    drop: {
      title: "Delete the restored server",
      description: `Lifts the deletion protection and deletes what this drill created (${identifiers.join(", ")}), without a final snapshot, keeping the timings, logs and validation results. A drill that fails or is cancelled deletes it too.`,
    },
    cleanup: {
      title: "Clean up (when you ask)",
      description: `Lifts the deletion protection and deletes what this run created (${identifiers.join(", ")}${input.providerKind === "aws-aurora" ? ", writer before cluster" : ""}), keeping a final snapshot unless you opt out; you type the restored server's name. Refused once the run is marked as cut over. Never touches the source or anything without this run's tag.`,
    },
  };
  const steps = pitrStepNamesFor(input.drill === true).map((name, position) => ({
    position,
    name,
    ...describe[name],
    timeoutMs: PITR_STEP_TIMEOUTS_MS[name],
    automatic: name !== "cleanup",
  }));

  return {
    version: PLAN_VERSION,
    kind: "pitr",
    environment: input.environment,
    source: { provider: input.providerKind, description: sourceDescription, database: source.database, user: source.user },
    target: choice,
    ...(dr ? { region: "dr" as const, dr } : { region: "primary" as const }),
    window,
    incident: input.incident,
    dataLoss: predictDataLoss({ choice, window, incident: input.incident, now: input.now }),
    identifiers,
    connectivityQuery,
    steps,
    // The summary names the source once; these say what happens to it.
    replaces: [
      dr
        ? `Nothing: the source is not touched, nor asked anything. The restored data appears in a new server in ${drRegionText(dr)}.`
        : "Nothing: the source keeps running untouched. The restored data appears in a new server beside it.",
    ],
    keeps: [
      "The source, untouched.",
      input.drill
        ? "The drill's timings, logs and validation results; the restored server is deleted at the end, pass or fail."
        : "The restored server until you clean it up, also when validation fails.",
      "The backups and the WAL archive: they are only read.",
    ],
    cutover: cutoverChecklist({ endpoint: null, sourceDescription, incident: input.incident !== null }),
    confirmations: { start: input.environment.name },
    validation: { builtinChecks: input.builtinChecks, configuredChecks: input.configuredChecks },
    preflight: input.preflight,
  };
}
