import { Ban, CircleCheck, CircleX } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { StatusDot } from "@/components/ui/status-dot";
import type { DrillOutcome } from "@/lib/restore/drill/drill-model";

/** A drill's result as a word with an icon, so it never rests on colour alone. */
export function DrillOutcomeBadge({ outcome }: { outcome: DrillOutcome }) {
  if (outcome === "passed")
    return (
      <Badge tone="success" icon={<CircleCheck aria-hidden />}>
        passed
      </Badge>
    );
  if (outcome === "failed")
    return (
      <Badge tone="danger" icon={<CircleX aria-hidden />}>
        failed
      </Badge>
    );
  if (outcome === "cancelled") return <Badge icon={<Ban aria-hidden />}>cancelled</Badge>;
  return (
    <Badge tone="info" icon={<StatusDot tone="info" pulse />}>
      running
    </Badge>
  );
}

/** Whether the time to a validated copy came within the RTO objective; nothing before it is known. */
export function RtoVerdictBadge({ withinRto }: { withinRto: boolean | null }) {
  if (withinRto === null) return null;
  return withinRto ? <Badge tone="success">within</Badge> : <Badge tone="danger">over</Badge>;
}
