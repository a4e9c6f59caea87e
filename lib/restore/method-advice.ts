import type { Objectives } from "@/lib/config/schema";
import { formatUtc } from "@/lib/format";
import { formatMinutes, rpoObjectiveMinutes, type RestoreMethod } from "@/lib/incidents/measure-objectives";

// Which restore method fits, from a few answers and what the server knows of the environment:
// the runbook's "When to use" sections (§1 PITR, §2 logical dump restore) as rules. Pure, so the
// chooser advises again on every answer in the browser.

export const RECOVERY_METHODS = ["pitr", "logical", "logical-selective"] as const;
export type RecoveryMethod = (typeof RECOVERY_METHODS)[number];

export const RECOVERY_METHOD_LABELS: Readonly<Record<RecoveryMethod, string>> = {
  pitr: "Point-in-time recovery",
  logical: "Logical restore",
  "logical-selective": "Logical restore of chosen tables",
};

/** What is wrong, as the person would say it. */
export const PROBLEMS = ["whole-database", "some-tables", "copy", "region-lost"] as const;
export type Problem = (typeof PROBLEMS)[number];

/** Where the restored data goes. */
export const TARGET_KINDS = ["beside-source", "dr-or-dev", "other-region"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** The moment to restore to, against the PITR window: "before" its earliest end means PITR cannot reach it. */
export const MOMENTS = ["inside", "before", "unknown"] as const;
export type Moment = (typeof MOMENTS)[number];

export interface MethodAnswers {
  problem: Problem;
  /** Read only when asksForTarget(problem): a copy goes to DR or dev, a lost region to another region. */
  target: TargetKind;
  moment: Moment;
}

/** The environment's PITR source: none configured, not answering just now, or its window (ISO instants). */
export type PitrFacts =
  { state: "absent" } | { state: "unreadable"; problem: string } | { state: "described"; earliest: string | null; latest: string | null };

/** What the server knows of the environment the advice is for. */
export interface MethodFacts {
  environment: string;
  pitr: PitrFacts;
  /** A backup a logical restore could start from (a manifest, no failed checksum). */
  hasRestorableBackup: boolean;
  objectives: Objectives;
}

export interface MethodAdvice {
  method: RecoveryMethod;
  /** Also acceptable here, best first. */
  alternatives: RecoveryMethod[];
  /** Short sentences, the runbook's first. */
  reasons: string[];
  /** The environment's objectives for the recommendation (cross-region ones for another region). */
  expected: { objective: RestoreMethod; rto: { minMinutes: number; maxMinutes: number }; rpoMinutes: number };
}

/** The target question only matters when the problem does not already say where the data goes. */
export function asksForTarget(problem: Problem): boolean {
  return problem === "whole-database" || problem === "some-tables";
}

/** The moment question only matters when PITR could restore beside the source. */
export function asksForMoment(answers: Pick<MethodAnswers, "problem" | "target">, facts: MethodFacts): boolean {
  return asksForTarget(answers.problem) && answers.target === "beside-source" && restorableWindow(facts.pitr) !== null;
}

/** Where `at` (e.g. an incident's last known good time) falls against the window; after its latest end, "latest restorable" is nearest. */
export function momentOf(pitr: PitrFacts, at: string | null): Moment {
  const window = restorableWindow(pitr);
  if (at === null || window === null) return "unknown";
  return window.earliest !== null && Date.parse(at) < Date.parse(window.earliest) ? "before" : "inside";
}

/** Where a method starts: the PITR picker, or the backup chooser (chosen tables are picked on a backup's plan). */
export function methodHref(method: RecoveryMethod, where: { environment: string; incidentId: string | null }): string {
  const query = new URLSearchParams(method === "pitr" ? {} : { method });
  query.set("environment", where.environment);
  if (where.incidentId) query.set("incident", where.incidentId);
  return `${method === "pitr" ? "/restores/pitr" : "/restores/new"}?${query}`;
}

type Window = { earliest: string | null; latest: string };

/** The window when it reaches at least one moment. */
function restorableWindow(pitr: PitrFacts): Window | null {
  return pitr.state === "described" && pitr.latest !== null ? { earliest: pitr.earliest, latest: pitr.latest } : null;
}

const minute = (at: string) => formatUtc(at, "minute");

const REASONS = {
  pitr: "Runbook §1 When to use: data corruption or accidental deletion within the retention window, restored to a specific timestamp; the primary recovery method for production.",
  crossRegion:
    "Runbook §2 When to use: cross-region restore. A dump can be loaded in another region; point-in-time recovery restores beside its source.",
  drOrDev: "Runbook §2 When to use: restore to a development or DR environment.",
  selective:
    "Runbook §2 When to use: selective table restore. Only the chosen tables, with what belongs to them, come back, into a new database beside the target.",
} as const;

function lessLoss(objectives: Objectives): string {
  return `Runbook §4: it loses at most ${formatMinutes(objectives.rpo.pitr.minutes)} of changes, against ${formatMinutes(objectives.rpo.logical.minutes)} for a nightly dump.`;
}

function windowReason(environment: string, window: Window, moment: Moment): string {
  const range = `${window.earliest ? `from ${minute(window.earliest)} ` : ""}to ${minute(window.latest)}`;
  return `${environment} can be restored to a moment ${range}.${moment === "unknown" ? " Check on the PITR page that the moment you want is inside it." : ""}`;
}

/** The runbook's advice for these answers in this environment. */
export function adviseMethod(answers: MethodAnswers, facts: MethodFacts): MethodAdvice {
  const { problem, moment } = answers;
  const target: TargetKind = asksForTarget(problem) ? answers.target : problem === "copy" ? "dr-or-dev" : "other-region";
  const window = restorableWindow(facts.pitr);
  const pitrReaches = window !== null && moment !== "before";
  const noBackup = `No restorable backup of ${facts.environment} yet: a logical restore needs one (the Backups page says why each is refused).`;

  const advice = (method: RecoveryMethod, alternatives: RecoveryMethod[], reasons: string[]): MethodAdvice => {
    const objective: RestoreMethod = method === "pitr" ? "pitr" : target === "other-region" ? "crossRegion" : "logical";
    const { minMinutes, maxMinutes } = facts.objectives.rto[objective];
    const needsBackup = method !== "pitr" && !facts.hasRestorableBackup;
    return {
      method,
      // A logical alternative without a backup would lead to an empty list.
      alternatives: alternatives.filter((m) => m === "pitr" || facts.hasRestorableBackup),
      reasons: needsBackup ? [...reasons, noBackup] : reasons,
      expected: { objective, rto: { minMinutes, maxMinutes }, rpoMinutes: rpoObjectiveMinutes(facts.objectives, objective) },
    };
  };

  if (target !== "beside-source") {
    const placeReason = target === "other-region" ? REASONS.crossRegion : REASONS.drOrDev;
    return problem === "some-tables"
      ? advice("logical-selective", ["logical"], [placeReason, REASONS.selective])
      : advice("logical", [], [placeReason]);
  }

  if (problem === "some-tables") {
    // Without a dump to pick tables from, a whole PITR copy beside the source is the way to them.
    if (!facts.hasRestorableBackup && pitrReaches) {
      return advice(
        "pitr",
        [],
        [REASONS.pitr, "It brings the whole database back in a new server beside the source; take the tables you need from there."],
      );
    }
    return advice(
      "logical-selective",
      pitrReaches ? ["pitr", "logical"] : ["logical"],
      pitrReaches
        ? [
            REASONS.selective,
            `A dump is up to ${formatMinutes(facts.objectives.rpo.logical.minutes)} old: if the tables changed since, point-in-time recovery loses less.`,
          ]
        : [REASONS.selective],
    );
  }

  if (facts.pitr.state === "absent") {
    return advice(
      "logical",
      [],
      [`Runbook §2 When to use: point-in-time recovery not available. ${facts.environment} has no PITR source configured.`],
    );
  }
  if (facts.pitr.state === "unreadable") {
    return advice(
      "pitr",
      ["logical"],
      [
        REASONS.pitr,
        `The PITR window of ${facts.environment} could not be read just now (${facts.pitr.problem}); the PITR page reads it again before anything starts.`,
        lessLoss(facts.objectives),
      ],
    );
  }
  if (window === null) {
    return advice(
      "logical",
      [],
      [`Runbook §2 When to use: point-in-time recovery not available. ${facts.environment}'s window reaches no moment yet.`],
    );
  }
  if (moment === "before") {
    return advice(
      "logical",
      [],
      [
        `Runbook §1 When to use: within the retention window only; the moment you want is before its earliest end${window.earliest ? `, ${minute(window.earliest)}` : ""}.`,
        "Runbook §2 When to use: point-in-time recovery not available. Restore the newest backup taken before that moment.",
      ],
    );
  }
  return advice("pitr", ["logical"], [REASONS.pitr, windowReason(facts.environment, window, moment), lessLoss(facts.objectives)]);
}
