import { markdownTable as table, markdownUtc as utc } from "@/lib/markdown";
import { acceptedChecks, describeEvent } from "./describe-event";
import type { IncidentDetail } from "./incident-views";
import {
  formatMinutes,
  formatMinutesRange,
  RESTORE_METHOD_LABELS,
  RESTORE_METHODS,
  rpoObjectiveMinutes,
  type Measurement,
} from "./measure-objectives";

// The post-incident review as Markdown: what happened (timeline), how recovery measured up
// (RTO/RPO against the objectives), and what the team will change (review, follow-ups).

function paragraph(value: string | null, empty: string): string {
  return value?.trim() ? value.trim() : `_${empty}_`;
}

function objectivesSection(incident: IncidentDetail, m: Measurement | null): string {
  const lines = ["## Recovery objectives (RTO/RPO)", ""];
  if (!m) {
    lines.push("_No restore was linked to this incident, so RTO and RPO were not measured._", "");
    lines.push(`Objectives for ${incident.environment}:`, "");
    lines.push(
      table(
        ["Method", "RTO objective", "RPO objective"],
        RESTORE_METHODS.map((method) => {
          const rto = incident.objectives.rto[method];
          const rpo = rpoObjectiveMinutes(incident.objectives, method);
          return [RESTORE_METHOD_LABELS[method], formatMinutesRange(rto.minMinutes, rto.maxMinutes), formatMinutes(rpo)];
        }),
      ),
    );
    return lines.join("\n");
  }
  lines.push(`Method: ${RESTORE_METHOD_LABELS[m.method]}`, "");
  lines.push(
    table(
      ["Measure", "From", "To", "Achieved", "Objective", "Result"],
      [
        [
          "RTO",
          `incident start ${utc(m.rto.fromAt)}`,
          `validated restore ${utc(m.rto.toAt)}`,
          formatMinutes(m.rto.achievedMinutes),
          formatMinutesRange(m.rto.objective.minMinutes, m.rto.objective.maxMinutes),
          m.rto.verdict,
        ],
        [
          "RPO",
          `${m.rpo.from === "last-known-good" ? "last known good" : "incident start"} ${utc(m.rpo.fromAt)}`,
          `restore point ${utc(m.rpo.restorePointAt)}`,
          formatMinutes(m.rpo.achievedMinutes),
          `at most ${formatMinutes(m.rpo.objectiveMinutes)}`,
          m.rpo.verdict,
        ],
      ],
    ),
  );
  if (m.steps.length > 0) {
    lines.push(
      "",
      "Steps:",
      "",
      table(
        ["Step", "Duration"],
        m.steps.map((s) => [s.name, formatMinutes(s.minutes)]),
      ),
    );
  }
  return lines.join("\n");
}

export function reviewMarkdown(incident: IncidentDetail): string {
  const sections: string[] = [];
  sections.push(`# Post-incident review: ${incident.title}`);
  sections.push(
    table(
      ["Field", "Value"],
      [
        ["Severity", incident.severity.toUpperCase()],
        ["Environment", incident.environment],
        ["Status", incident.status],
        ["Incident start", utc(incident.startedAt)],
        ["Declared", `${utc(incident.declaredAt)} by ${incident.declaredByEmail}`],
        ["Last known good", utc(incident.lastKnownGoodAt)],
        ["Recovered", utc(incident.recoveredAt)],
        ["Closed", utc(incident.closedAt)],
        ["Checklist", `${incident.template.name} v${incident.template.version}`],
      ],
    ),
  );
  sections.push(`## Scope of data loss\n\n${paragraph(incident.scope, "Not described.")}`);
  sections.push(objectivesSection(incident, incident.measurement));
  const acceptances = incident.events.filter((event) => event.type === "validation-accepted");
  if (acceptances.length > 0) {
    // Restored data that failed a blocking check went live on someone's word: the review names it.
    sections.push(
      `## Accepted validation failures\n\n${table(
        ["Time", "Accepted by", "Restore run", "Checks", "Reason"],
        acceptances.map((event) => [
          utc(event.at),
          event.actorEmail,
          typeof event.payload.runId === "string" ? event.payload.runId : "?",
          acceptedChecks(event.payload),
          typeof event.payload.reason === "string" ? event.payload.reason : "",
        ]),
      )}`,
    );
  }

  const checklist = ["## Checklist"];
  for (const phase of incident.phases) {
    checklist.push(
      "",
      `### ${phase.title}${phase.deadlineMinutes === null ? "" : ` (within ${formatMinutes(phase.deadlineMinutes)})`}`,
      "",
    );
    for (const item of phase.items) {
      const by = item.checkedAt
        ? ` — ${item.checkedByEmail === "system" ? "by the system" : (item.checkedByEmail ?? "")}, ${utc(item.checkedAt)}`
        : "";
      const evidence = item.evidence ? ` (evidence: ${item.evidence.description || item.evidence.href})` : "";
      const note = item.note ? ` — ${item.note.replace(/\s+/g, " ")}` : "";
      checklist.push(`- [${item.checkedAt ? "x" : " "}] ${item.text}${by}${evidence}${note}`);
    }
  }
  sections.push(checklist.join("\n"));

  sections.push(
    `## Timeline\n\n${table(
      ["Time", "Who", "What"],
      incident.events.map((event) => [utc(event.at), event.actorEmail, describeEvent(event)]),
    )}`,
  );
  sections.push(`## What went well\n\n${paragraph(incident.wentWell, "Not written yet.")}`);
  sections.push(`## What did not go well\n\n${paragraph(incident.wentBadly, "Not written yet.")}`);
  sections.push(`## Lessons learned\n\n${paragraph(incident.lessons, "Not written yet.")}`);
  sections.push(
    incident.followUps.length === 0
      ? "## Follow-up actions\n\n_None recorded._"
      : `## Follow-up actions\n\n${table(
          ["Action", "Owner", "Due", "Done"],
          incident.followUps.map((a) => [a.text, a.owner, a.dueAt ? a.dueAt.slice(0, 10) : "—", a.doneAt ? utc(a.doneAt) : "open"]),
        )}`,
  );
  return `${sections.join("\n\n")}\n`;
}

/** incident-2026-11-25-restore-of-loans.md */
export function reviewFilename(incident: { title: string; startedAt: string }): string {
  const slug = incident.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 50);
  return `incident-${incident.startedAt.slice(0, 10)}${slug ? `-${slug}` : ""}.md`;
}
