// Phase deadlines are computed, never stored: startedAt + deadlineMinutes, compared with now.
// Pure, so the server, the live page (ticking every second) and the tests agree.

export type PhaseTimerState = "done" | "on-time" | "amber" | "red" | "untimed";

export interface TimedPhase {
  key: string;
  deadlineMinutes: number | null;
  items: ReadonlyArray<{ checkedAt: string | Date | null }>;
}

export interface PhaseTimer {
  key: string;
  state: PhaseTimerState;
  deadlineAt: Date | null;
  /** Until the deadline; negative once it has passed; null without a deadline. */
  remainingMs: number | null;
  uncheckedCount: number;
  /** Unchecked items of a phase past its deadline: they stand out. */
  overdueCount: number;
  /** When the last item was ticked, for a finished phase. */
  completedAt: Date | null;
  /** A finished phase whose last tick came after its deadline. */
  late: boolean;
}

/** The share of a phase's time left at which it turns amber (or under AMBER_FLOOR_MS, whichever is more). */
export const AMBER_SHARE = 0.2;
export const AMBER_FLOOR_MS = 60_000;

const time = (value: string | Date) => (value instanceof Date ? value : new Date(value)).getTime();

/** A phase's timer at `now`; once an incident is recovered, pass the recovery time to stop its clock. */
export function phaseTimer(phase: TimedPhase, startedAt: string | Date, now: string | Date | number): PhaseTimer {
  const nowMs = typeof now === "number" ? now : time(now);
  const deadlineAt = phase.deadlineMinutes === null ? null : new Date(time(startedAt) + phase.deadlineMinutes * 60_000);
  const remainingMs = deadlineAt ? deadlineAt.getTime() - nowMs : null;
  const checked = phase.items.flatMap((item) => (item.checkedAt ? [time(item.checkedAt)] : []));
  const uncheckedCount = phase.items.length - checked.length;
  const base = { key: phase.key, deadlineAt, remainingMs, uncheckedCount, overdueCount: 0, completedAt: null, late: false };

  if (phase.items.length > 0 && uncheckedCount === 0) {
    const completedAt = new Date(Math.max(...checked));
    return { ...base, state: "done", completedAt, late: deadlineAt !== null && completedAt > deadlineAt };
  }
  if (deadlineAt === null || remainingMs === null || phase.deadlineMinutes === null) return { ...base, state: "untimed" };
  if (remainingMs < 0) return { ...base, state: "red", overdueCount: uncheckedCount };
  const amberAt = Math.max(phase.deadlineMinutes * 60_000 * AMBER_SHARE, AMBER_FLOOR_MS);
  return { ...base, state: remainingMs <= amberAt ? "amber" : "on-time" };
}

/** 4:59, 1:02:03; "−0:12" once overdue. Whole seconds, rounded towards the deadline. */
export function formatCountdown(remainingMs: number): string {
  const overdue = remainingMs < 0;
  const total = overdue ? Math.floor(-remainingMs / 1000) : Math.ceil(remainingMs / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  const text = hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
  return overdue ? `−${text}` : text;
}
