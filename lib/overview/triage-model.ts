// What Overview's triage shows: plain data, safe for the browser.

/** One thing a person should act on, with the action that moves it on. */
export interface AttentionItem {
  key: string;
  /** Lower comes first: worker down, overdue incident phases, runs waiting for a person, critical alerts, incidents, warnings. */
  rank: number;
  tone: "critical" | "warning";
  title: string;
  detail: string;
  environment: string | null;
  /** Since when it has needed attention (null: unknown, e.g. a worker that never beat). */
  since: string | null;
  action: { label: string; href: string };
  /** For an alert: the rule that raised it. */
  rule?: string;
}

export interface RunningRunView {
  id: string;
  /** logical, pitr or drill. */
  kind: string;
  environment: string;
  targetName: string;
  /** The backup restored, or "PITR to <time>". */
  what: string;
  status: string;
  currentStep: string | null;
  /** The restore step's progress, when it reports one. */
  percent: number | null;
  startedAt: string;
  requestedByEmail: string;
}
