import Link from "next/link";
import type { Tone } from "@/components/ui/badge";
import { StatusDot } from "@/components/ui/status-dot";
import { Time } from "@/components/ui/time";
import { describeEvent } from "@/lib/incidents/describe-event";
import type { IncidentEventView } from "@/lib/incidents/incident-views";

const TONES: Record<string, Tone> = {
  declared: "danger",
  "status-changed": "info",
  "item-checked": "success",
  "item-unchecked": "warning",
  "notification-failed": "danger",
  "run-started": "info",
  "run-progress": "info",
  "run-finished": "success",
  validation: "success",
  "validation-accepted": "warning",
  "approval-requested": "info",
  "approval-approved": "warning",
  "approval-refused": "danger",
  "backup-verified": "success",
};

function linkOf(event: IncidentEventView): string | null {
  const href = event.payload.href ?? event.payload.evidenceHref;
  return typeof href === "string" && href.startsWith("/") ? href : null;
}

/** Every event of the incident with who and when; `order` "newest" for the live page, "oldest" for the review. */
export function IncidentTimeline({ events, order = "newest" }: { events: IncidentEventView[]; order?: "newest" | "oldest" }) {
  const shown = order === "newest" ? [...events].reverse() : events;
  return (
    <ol className="space-y-3" aria-label="Timeline">
      {shown.map((event) => {
        const href = linkOf(event);
        const tone = event.type === "run-finished" && event.payload.outcome === "failed" ? "danger" : (TONES[event.type] ?? "neutral");
        return (
          <li key={event.id} className="flex gap-3 text-sm" data-event-type={event.type}>
            <StatusDot tone={tone} className="mt-1.5" />
            <div className="min-w-0">
              <p className="break-words">
                {describeEvent(event)}
                {href && (
                  <>
                    {" "}
                    <Link href={href} className="text-accent-text underline underline-offset-2">
                      view
                    </Link>
                  </>
                )}
              </p>
              <p className="text-xs text-muted">
                {event.actorEmail} · <Time value={event.at} />
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
