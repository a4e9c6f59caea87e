import { Badge, type Tone } from "@/components/ui/badge";
import type { RunStatus, StepStatus } from "@/lib/restore/engine/state";

const TONES: Readonly<Record<RunStatus | StepStatus, { tone: Tone; label: string }>> = {
  queued: { tone: "info", label: "queued" },
  running: { tone: "info", label: "running" },
  "awaiting-swap": { tone: "warning", label: "waiting for swap confirmation" },
  succeeded: { tone: "success", label: "succeeded" },
  failed: { tone: "danger", label: "failed" },
  cancelled: { tone: "neutral", label: "cancelled" },
  interrupted: { tone: "danger", label: "interrupted" },
  "rolled-back": { tone: "warning", label: "rolled back" },
  pending: { tone: "neutral", label: "pending" },
  skipped: { tone: "neutral", label: "skipped" },
};

/** A run's or a step's status as a coloured word. */
export function RunStatusBadge({ status }: { status: RunStatus | StepStatus }) {
  const view = TONES[status];
  return <Badge tone={view.tone}>{view.label}</Badge>;
}
