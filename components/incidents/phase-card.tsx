"use client";

import { Card, CardHeader } from "@/components/ui/card";
import { Badge, type Tone } from "@/components/ui/badge";
import { cx } from "@/components/ui/cx";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Time } from "@/components/ui/time";
import { useIncidentClock } from "@/lib/client/use-incident-clock";
import type { PhaseView } from "@/lib/incidents/incident-views";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import { formatCountdown, phaseTimer, type PhaseTimer } from "@/lib/incidents/phase-timers";
import { ChecklistItem } from "./checklist-item";

const STATE_STYLE: Record<PhaseTimer["state"], { tone: Tone; card: string; bar: "accent" | "success" | "warning" | "danger" }> = {
  "on-time": { tone: "info", card: "", bar: "accent" },
  amber: { tone: "warning", card: "border-warning/60 ring-1 ring-warning/30", bar: "warning" },
  red: { tone: "danger", card: "border-danger/60 ring-1 ring-danger/30", bar: "danger" },
  done: { tone: "success", card: "", bar: "success" },
  untimed: { tone: "neutral", card: "", bar: "accent" },
};

function TimerBadge({ timer, deadlineAt, stopped }: { timer: PhaseTimer | null; deadlineAt: Date | null; stopped: boolean }) {
  if (!deadlineAt) return timer?.state === "done" ? <Badge tone="success">done</Badge> : <Badge>no deadline</Badge>;
  if (!timer || timer.remainingMs === null)
    return (
      <Badge>
        due <Time value={deadlineAt} timeOnly />
      </Badge>
    );
  const { tone } = STATE_STYLE[timer.state];
  if (timer.state === "done") return <Badge tone={timer.late ? "warning" : "success"}>{timer.late ? "done, late" : "done in time"}</Badge>;
  const text =
    timer.state === "red" ? `overdue ${formatCountdown(timer.remainingMs).slice(1)}` : `${formatCountdown(timer.remainingMs)} left`;
  return (
    <Badge tone={tone} className="font-mono text-sm tabular-nums">
      <span role="timer" aria-label={timer.state === "red" ? "Overdue by" : "Time left"}>
        {stopped ? `stopped: ${text}` : text}
      </span>
    </Badge>
  );
}

export interface PhaseCardProps {
  incidentId: string;
  phase: PhaseView;
  startedAt: string;
  /** Once the data is back the clocks stop (recoveredAt). */
  clockStoppedAt: string | null;
  canEdit: boolean;
}

/** One checklist phase with its live countdown: amber near the deadline, red past it. */
export function PhaseCard({ incidentId, phase, startedAt, clockStoppedAt, canEdit }: PhaseCardProps) {
  const clock = useIncidentClock();
  const now = clockStoppedAt ? Date.parse(clockStoppedAt) : clock;
  const timer = now === null ? null : phaseTimer(phase, startedAt, now);
  const deadlineAt = phase.deadlineMinutes === null ? null : new Date(Date.parse(startedAt) + phase.deadlineMinutes * 60_000);
  const style = timer ? STATE_STYLE[timer.state] : STATE_STYLE.untimed;
  const done = phase.items.filter((i) => i.checkedAt).length;

  return (
    <Card as="section" padding="none" className={cx("transition-shadow", style.card)}>
      <div data-phase={phase.key} data-timer-state={timer?.state ?? "pending"}>
        <CardHeader
          title={phase.title}
          description={
            <>
              {done} of {phase.items.length} done
              {deadlineAt ? (
                <>
                  {` · within ${formatMinutes(phase.deadlineMinutes)} of the start (by `}
                  <Time value={deadlineAt} timeOnly />)
                </>
              ) : (
                " · no deadline"
              )}
              {timer?.state === "red" && timer.overdueCount > 0 && (
                <span className="font-medium text-danger-text">
                  {" "}
                  · {timer.overdueCount} item{timer.overdueCount === 1 ? "" : "s"} overdue
                </span>
              )}
            </>
          }
          actions={<TimerBadge timer={timer} deadlineAt={deadlineAt} stopped={clockStoppedAt !== null} />}
        />
        {phase.items.length > 0 && (
          // Items done, as the header says; the colour says how the deadline stands (the badge gives the time).
          <ProgressBar
            label={`${phase.title}: items done`}
            value={done}
            max={phase.items.length}
            valueText={`${done} of ${phase.items.length} done${timer?.remainingMs != null && timer.state !== "done" ? `, ${timer.remainingMs < 0 ? "deadline passed" : `${formatCountdown(timer.remainingMs)} left`}` : ""}`}
            tone={style.bar}
            className="h-1 rounded-none"
          />
        )}
        <ul className="divide-y divide-border">
          {phase.items.map((item) => (
            <ChecklistItem
              key={item.id}
              incidentId={incidentId}
              item={item}
              overdue={timer?.state === "red" && !item.checkedAt}
              canEdit={canEdit}
            />
          ))}
        </ul>
      </div>
    </Card>
  );
}
