import { BellRing, CircleCheck } from "lucide-react";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import type { AlertView } from "@/lib/alerts/evaluate-alerts";

/** Alerts raised without an incident: what is wrong now, critical first, each linking to its cause. */
export function AlertsCard({ alerts }: { alerts: AlertView[] }) {
  return (
    <Card padding="none">
      <CardHeader
        title="Alerts"
        description="Raised by the rules without an incident: stale or unverifiable backups, failed runs, a dead worker, a PITR window that stopped."
        actions={
          <Badge tone={alerts.some((a) => a.severity === "critical") ? "danger" : alerts.length ? "warning" : "success"}>
            {alerts.length ? `${alerts.length} open` : "none open"}
          </Badge>
        }
      />
      <CardBody>
        {alerts.length === 0 ? (
          <p className="flex items-center gap-2 text-sm text-success-text">
            <CircleCheck aria-hidden className="size-4" /> Nothing is wrong that the rules can see.
          </p>
        ) : (
          <ul className="divide-y divide-border" aria-label="Open alerts">
            {alerts.map((alert) => (
              <li key={alert.id} className="space-y-0.5 py-2 text-sm" data-alert={alert.rule}>
                <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                  <Badge tone={alert.severity === "critical" ? "danger" : "warning"} icon={<BellRing aria-hidden />}>
                    {alert.severity}
                  </Badge>
                  {alert.href ? (
                    <Link href={alert.href} className="min-w-0 flex-1 font-medium text-accent-text underline-offset-2 hover:underline">
                      {alert.title}
                    </Link>
                  ) : (
                    <span className="min-w-0 flex-1 font-medium">{alert.title}</span>
                  )}
                  <span className="text-xs text-muted">
                    {alert.environment && <span className="font-mono">{alert.environment} · </span>}
                    since <Time value={alert.firedAt} relative />
                  </span>
                </div>
                <p className="text-muted [overflow-wrap:anywhere]">{alert.detail}</p>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
