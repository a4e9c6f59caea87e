import { formatBytes, formatDuration } from "@/lib/format";
import type { LogicalRestorePlan, PlanLoad } from "./logical/plan";
import { drRegionText } from "./pitr/dr";
import { pitrTargetLabel, type DataLossView, type PitrRestorePlan } from "./pitr/plan";

// A plan's key values, read at a glance before its steps: from where to where, how, as of when,
// what is lost, what is replaced and what is kept. Pure and browser-safe: the plan pages use it.

/** Text, or an instant the page shows in the person's zone (and how long ago, with `ago`). */
export type FactPart = string | { instant: string; ago?: boolean };
export type FactText = FactPart[];

export type PlanFactKey =
  | "source"
  | "target"
  | "method"
  | "tables"
  | "scratch"
  | "new-database"
  | "restore-point"
  | "duration"
  | "data-loss"
  | "replaces"
  | "keeps";

export interface PlanFact {
  key: PlanFactKey;
  label: string;
  /** One per line: most facts have one, what is replaced and what is kept have several. */
  values: FactText[];
  /** The values are names to read exactly (files, databases, servers). */
  literal?: boolean;
  note?: FactText;
  /** What must not be missed: an admin override, a restore point after the incident started. */
  warning?: string;
}

type Plan = LogicalRestorePlan | PitrRestorePlan;

/** The facts a plan carries, in reading order; a fact the plan does not have is left out. */
export function planFacts(plan: Plan): PlanFact[] {
  const facts = plan.kind === "pitr" ? pitrFacts(plan) : logicalFacts(plan);
  return facts.filter((fact): fact is PlanFact => fact !== null);
}

function environmentText(environment: Plan["environment"]): string {
  return `environment ${environment.name}${environment.protected ? " (protected)" : ""}`;
}

const LOAD_TEXT: Record<PlanLoad["method"], (jobs: number) => string> = {
  "pg-restore": (jobs) => `loaded by pg_restore -j ${jobs}`,
  "one-transaction": () => "loaded by psql in one transaction",
  "parallel-sections": (jobs) => `loaded over ${jobs} parallel psql connections`,
};

function logicalMethod(plan: LogicalRestorePlan): string {
  if (plan.mode === "drill") return "Drill: restored into a scratch database, validated, then dropped";
  // Read from another region: measured against the cross-region objective.
  const restore = plan.source.replica ? "Cross-region logical restore" : "Logical restore";
  if (plan.mode === "swap") return `${restore}, then a swap once you confirm it`;
  return plan.selection
    ? `Chosen tables only, into a new database${plan.source.replica ? " (cross-region)" : ""}`
    : `${restore} into a new database`;
}

function logicalFacts(plan: LogicalRestorePlan): Array<PlanFact | null> {
  const { source, target, databases } = plan;
  return [
    {
      key: "source",
      label: "Source",
      values: [[source.name]],
      literal: true,
      note: [
        `${environmentText(plan.environment)} · ${formatBytes(source.size)} · ${source.format === "custom" ? "custom format" : "plain SQL"} · ${source.verificationState}`,
        source.replica
          ? `Read from the replica ${source.replica.label} (${source.replica.location}): ${source.replica.reason}.`
          : "Read from the primary backup store.",
      ],
      warning: source.overridden ? "Restorable only because an admin allowed it without a valid manifest." : undefined,
    },
    {
      key: "target",
      label: "Target",
      values: [[`${target.user}@${target.host}:${target.port}/${target.database}`]],
      literal: true,
      note: [`restore target ${target.name}`],
    },
    {
      key: "method",
      label: "Method",
      values: [[logicalMethod(plan)]],
      note: plan.load ? [LOAD_TEXT[plan.load.method](plan.load.jobs)] : undefined,
    },
    plan.selection
      ? {
          key: "tables",
          label: "Tables",
          values: plan.selection.tables.map((table) => [table]),
          literal: true,
          note: ["with what belongs to them; everything else in the dump is left out"],
        }
      : null,
    {
      key: "scratch",
      label: "Scratch database",
      values: [[databases.scratch]],
      literal: true,
      note: ["restored and validated here first"],
    },
    databases.newDatabase
      ? { key: "new-database", label: "New database", values: [[databases.newDatabase]], literal: true, note: ["its name once validated"] }
      : null,
    { key: "restore-point", label: "Data as of", values: [[{ instant: source.takenAt, ago: true }]], note: ["when the backup was taken"] },
    durationFact(plan),
    {
      key: "data-loss",
      label: "Data loss",
      values: [
        [
          plan.mode === "swap"
            ? `Every change made to ${databases.live} after the backup: not restored, kept in the copy set aside`
            : `None: ${databases.live} is left alone`,
        ],
      ],
    },
    ...replacedAndKept(plan),
  ];
}

const PITR_METHOD: Record<PitrRestorePlan["source"]["provider"], string> = {
  local: "a base backup, then the WAL archive replayed to the point",
  "aws-aurora": "RDS restores the Aurora cluster to the point",
  "aws-rds-instance": "RDS restores the instance to the point",
};

/** Where the source's data comes from in its DR region: a snapshot copy names its time, the one point it restores to. */
function pitrSourceNote(plan: PitrRestorePlan): FactText {
  const { dr, window } = plan;
  const environment = environmentText(plan.environment);
  if (!dr) return [environment];
  const where = `${environment} · restored in ${drRegionText(dr)}`;
  if (dr.kind === "replicated-backups") return [`${where} from the automated backups replicated there.`];
  return window.snapshot
    ? [`${where} from the snapshot copy "${window.snapshot.name}" taken at `, { instant: window.snapshot.takenAt }, "."]
    : [`${where} from the newest snapshot copy.`];
}

function pitrMethod(plan: PitrRestorePlan): string {
  const method = plan.drill ? "Point-in-time drill: restored, validated, then deleted" : "Point-in-time restore";
  return plan.dr ? `${method}, in ${drRegionText(plan.dr)}` : method;
}

const PITR_DR_METHOD: Record<NonNullable<PitrRestorePlan["dr"]>["kind"], string> = {
  "replicated-backups": "RDS restores the instance to the point from its automated backups replicated to that region",
  "snapshot-copy": "RDS restores the Aurora cluster from a snapshot copied to that region, as it is: only the snapshot's time",
};

function pitrFacts(plan: PitrRestorePlan): Array<PlanFact | null> {
  const { target, dataLoss } = plan;
  return [
    { key: "source", label: "Source", values: [[plan.source.description]], note: pitrSourceNote(plan) },
    {
      key: "target",
      label: "Target",
      values: plan.identifiers.map((identifier) => [identifier]),
      literal: true,
      note: [
        plan.drill
          ? "A new server beside the source, deleted when the drill ends."
          : `A new server ${plan.dr ? `in ${drRegionText(plan.dr)}` : "beside the source"}; nothing is repointed to it, the cutover is yours.`,
      ],
    },
    {
      key: "method",
      label: "Method",
      values: [[pitrMethod(plan)]],
      note: [plan.dr ? PITR_DR_METHOD[plan.dr.kind] : PITR_METHOD[plan.source.provider]],
    },
    {
      key: "restore-point",
      label: "Restore point",
      values: [[pitrTargetLabel(target)]],
      literal: target.kind === "time",
      note:
        target.kind === "time"
          ? undefined
          : dataLoss.restorePointAt
            ? ["now ", { instant: dataLoss.restorePointAt }, ", pinned when the restore starts"]
            : ["unknown now: whatever is archived when the restore starts"],
    },
    durationFact(plan),
    {
      key: "data-loss",
      label: "Data loss",
      values: [[lostText(dataLoss)]],
      note:
        dataLoss.lostMs === null
          ? undefined
          : [
              dataLoss.untilKind === "incident-start"
                ? "from the restore point to the incident's start, "
                : "from the restore point to this plan, ",
              { instant: dataLoss.until },
            ],
      warning: dataLossWarning(dataLoss),
    },
    ...replacedAndKept(plan),
  ];
}

function lostText(dataLoss: DataLossView): string {
  if (dataLoss.lostMs === null) return "Unknown: the restore point is not known yet";
  return dataLoss.lostMs === 0 ? "None" : `${formatDuration(dataLoss.lostMs)} of changes`;
}

/** Why a restore point needs a second look, if it does. */
export function dataLossWarning(dataLoss: DataLossView): string | undefined {
  if (dataLoss.afterIncidentStart) return "This is after the incident started: the restored data may already contain the damage.";
  if (dataLoss.afterLastKnownGood) return "This is after the last time the data was known to be good.";
  return undefined;
}

/** Only a drill's plan carries its objective; no plan carries an estimate of its own. */
function durationFact(plan: Plan): PlanFact | null {
  if (!plan.drill) return null;
  return {
    key: "duration",
    label: "Expected duration",
    values: [[`at most ${formatDuration(plan.drill.rtoMaxMinutes * 60_000)}`]],
    note: ["the RTO objective"],
  };
}

function replacedAndKept(plan: Plan): PlanFact[] {
  return [
    { key: "replaces", label: "Replaces", values: plan.replaces.length ? plan.replaces.map((line) => [line]) : [["Nothing."]] },
    { key: "keeps", label: "Keeps", values: plan.keeps.map((line) => [line]) },
  ];
}
