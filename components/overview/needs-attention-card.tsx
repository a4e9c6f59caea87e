import { CircleAlert, CircleCheck, TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button-link";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import type { AttentionItem } from "@/lib/overview/triage-model";

/**
 * What needs a person now, most urgent first, each with the one action that moves it on: a dead
 * worker, overdue incident phases, restores waiting for a confirmation or an approval, alerts.
 */
export function NeedsAttentionCard({ items }: { items: readonly AttentionItem[] }) {
  const critical = items.filter((item) => item.tone === "critical").length;
  return (
    <Card padding="none">
      <CardHeader
        title="Needs attention"
        description="Most urgent first; each with what to do next."
        actions={
          <Badge tone={critical > 0 ? "danger" : items.length > 0 ? "warning" : "success"}>
            {items.length === 0 ? "nothing" : critical > 0 ? `${critical} critical, ${items.length - critical} more` : `${items.length}`}
          </Badge>
        }
      />
      <CardBody>
        {items.length === 0 ? (
          <p className="flex items-center gap-2 text-sm text-success-text">
            <CircleCheck aria-hidden className="size-4" /> Nothing needs you now: no incident, no restore waiting, no alert.
          </p>
        ) : (
          <ol className="divide-y divide-border" aria-label="Needs attention">
            {items.map((item) => (
              <li
                key={item.key}
                className="flex flex-col gap-2 py-3 text-sm sm:flex-row sm:items-start sm:justify-between"
                data-alert={item.rule}
              >
                <div className="min-w-0 space-y-0.5">
                  <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                    <Badge
                      tone={item.tone === "critical" ? "danger" : "warning"}
                      icon={item.tone === "critical" ? <CircleAlert aria-hidden /> : <TriangleAlert aria-hidden />}
                    >
                      {item.tone}
                    </Badge>
                    <span className="font-medium [overflow-wrap:anywhere]">{item.title}</span>
                  </div>
                  <p className="text-muted [overflow-wrap:anywhere]">{item.detail}</p>
                  {(item.environment || item.since) && (
                    <p className="text-xs text-muted">
                      {item.environment && <span className="font-mono">{item.environment}</span>}
                      {item.environment && item.since && " · "}
                      {item.since && (
                        <>
                          since <Time value={item.since} relative />
                        </>
                      )}
                    </p>
                  )}
                </div>
                <ButtonLink
                  href={item.action.href}
                  size="sm"
                  variant={item.tone === "critical" ? "danger" : "secondary"}
                  className="shrink-0"
                >
                  {item.action.label}
                </ButtonLink>
              </li>
            ))}
          </ol>
        )}
      </CardBody>
    </Card>
  );
}
