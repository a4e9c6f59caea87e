import { Badge, type Tone } from "@/components/ui/badge";
import { StatusDot } from "@/components/ui/status-dot";
import type { Verdict } from "@/lib/incidents/measure-objectives";
import type { IncidentStatus, Severity } from "@/lib/incidents/state";

const SEVERITY_TONE: Record<Severity, Tone> = { sev1: "danger", sev2: "warning", sev3: "info", sev4: "neutral" };

const STATUS: Record<IncidentStatus, { tone: Tone; pulse: boolean }> = {
  open: { tone: "danger", pulse: true },
  recovering: { tone: "warning", pulse: true },
  recovered: { tone: "success", pulse: false },
  closed: { tone: "neutral", pulse: false },
};

const VERDICT: Record<Verdict, { tone: Tone; label: string }> = {
  met: { tone: "success", label: "met" },
  missed: { tone: "danger", label: "missed" },
  pending: { tone: "neutral", label: "pending" },
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return <Badge tone={SEVERITY_TONE[severity]}>{severity.toUpperCase()}</Badge>;
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  const view = STATUS[status];
  return (
    <Badge tone={view.tone} icon={<StatusDot tone={view.tone} pulse={view.pulse} />}>
      {status}
    </Badge>
  );
}

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  const view = VERDICT[verdict];
  return <Badge tone={view.tone}>{view.label}</Badge>;
}
