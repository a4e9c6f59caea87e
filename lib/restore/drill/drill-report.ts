import type { SessionUser } from "@/lib/auth/roles";
import { recordAuditEvent, actorOf } from "@/lib/audit/record-audit-event";
import type { Ctx } from "@/lib/db/ctx";
import { formatDuration, plural } from "@/lib/format";
import { markdownTable, markdownUtc } from "@/lib/markdown";
import type { DrillEnvironmentView, DrillView } from "./drill-model";
import { checksText, rowCountDifference, rowCountsOf, startedByOf } from "./drill-text";
import { listDrills, ListDrillsInput } from "./list-drills";

// The evidence an auditor asks for: every drill of a period, who or what started it, its timings,
// checks, results and failure reasons, as Markdown and as a printable HTML page, from one model.

interface Summary {
  total: number;
  passed: number;
  failed: number;
  cancelled: number;
  withinRto: number;
}

function summaryOf(drills: readonly DrillView[]): Summary {
  return {
    total: drills.length,
    passed: drills.filter((d) => d.outcome === "passed").length,
    failed: drills.filter((d) => d.outcome === "failed").length,
    cancelled: drills.filter((d) => d.outcome === "cancelled").length,
    withinRto: drills.filter((d) => d.withinRto === true).length,
  };
}

const OUTCOME_TEXT: Record<DrillView["outcome"], string> = {
  passed: "passed",
  failed: "FAILED",
  cancelled: "cancelled",
  running: "running",
};

function startedByText(drill: DrillView): string {
  const { kind, name } = startedByOf(drill);
  return `${kind}: ${name}`;
}

function checksCell(drill: DrillView): string {
  const failed = drill.checks?.failed ?? [];
  return `${checksText(drill.checks)}${failed.length ? ` (failed: ${failed.join(", ")})` : ""}`;
}

function rowCountsCell(drill: DrillView): string {
  const { text, differing } = rowCountsOf(drill);
  return differing.length ? `${text}: ${differing.map(rowCountDifference).join("; ")}` : text;
}

/** One drill as the report's row: the same cells in Markdown and HTML. */
function rowOf(drill: DrillView): string[] {
  return [
    markdownUtc(drill.startedAt ?? drill.createdAt),
    startedByText(drill),
    `${drill.backup.name} (${drill.method === "pitr" ? "to" : "taken"} ${markdownUtc(drill.backup.takenAt)})`,
    OUTCOME_TEXT[drill.outcome],
    drill.durationMs === null ? "—" : formatDuration(drill.durationMs),
    drill.withinRto === null ? "—" : drill.withinRto ? `within ${drill.rtoMaxMinutes} min` : `OVER ${drill.rtoMaxMinutes} min`,
    checksCell(drill),
    rowCountsCell(drill),
    drill.copyDropped ? "yes" : drill.outcome === "running" ? "not yet" : "NO",
  ];
}

const HEADER = [
  "Started",
  "Started by",
  "Backup",
  "Result",
  "Time to validated copy",
  "RTO objective",
  "Checks",
  "Row counts vs manifest",
  "Copy dropped",
];

function scheduleText(view: DrillEnvironmentView): string {
  const s = view.schedule;
  if (!s) return "No drill schedule is configured now (these drills ran under an earlier configuration).";
  const what = [
    ...(s.target ? [`the ${s.backup} backup onto target ${s.target}`] : []),
    ...(s.pitr ? ["the PITR source to a random point of its window"] : []),
  ];
  return `Schedule \`${s.cron}\` (${s.timeZone}), restoring ${what.join(", and ")}.`;
}

function summaryText(summary: Summary): string {
  return `${plural(summary.total, "drill")}: ${summary.passed} passed, ${summary.failed} failed, ${summary.cancelled} cancelled; ${summary.withinRto} of ${summary.passed} passed within the RTO objective.`;
}

export interface DrillEvidence {
  from: string;
  to: string;
  generatedAt: string;
  generatedBy: string;
  environments: DrillEnvironmentView[];
}

export function drillEvidenceMarkdown(evidence: DrillEvidence): string {
  const parts = [
    "# Restore drill evidence",
    "",
    `Period: ${markdownUtc(evidence.from)} to ${markdownUtc(evidence.to)}. Generated ${markdownUtc(evidence.generatedAt)} by ${evidence.generatedBy}.`,
    "",
    "Each drill restored a backup into a scratch copy on a non-production target, validated it (the runbook's checks and the manifest's row counts), measured the time to a validated copy, and dropped the copy.",
  ];
  if (evidence.environments.length === 0) parts.push("", "_No environment has drills configured or recorded in this period._");
  for (const view of evidence.environments) {
    parts.push("", `## ${view.environment}`, "", scheduleText(view), "", summaryText(summaryOf(view.drills)), "");
    parts.push(view.drills.length === 0 ? "_No drill ran in this period._" : markdownTable(HEADER, view.drills.map(rowOf)));
    const failures = view.drills.filter((d) => d.outcome === "failed" || d.outcome === "cancelled");
    if (failures.length > 0) {
      parts.push("", "### Failure reasons", "");
      for (const drill of failures)
        parts.push(
          `- ${markdownUtc(drill.startedAt ?? drill.createdAt)}, ${drill.backup.name}: ${drill.error ?? "no reason recorded"} (run ${drill.id})`,
        );
    }
  }
  return `${parts.join("\n")}\n`;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

const PRINT_CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f2f2f2}
.failed{color:#a00;font-weight:600}code{font-family:ui-monospace,monospace}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}`;

export function drillEvidenceHtml(evidence: DrillEvidence): string {
  const e = escapeHtml;
  const body: string[] = [
    "<h1>Restore drill evidence</h1>",
    `<p>Period: ${e(markdownUtc(evidence.from))} to ${e(markdownUtc(evidence.to))}. Generated ${e(markdownUtc(evidence.generatedAt))} by ${e(evidence.generatedBy)}.</p>`,
    "<p>Each drill restored a backup into a scratch copy on a non-production target, validated it (the runbook's checks and the manifest's row counts), measured the time to a validated copy, and dropped the copy.</p>",
  ];
  if (evidence.environments.length === 0) body.push("<p><em>No environment has drills configured or recorded in this period.</em></p>");
  for (const view of evidence.environments) {
    body.push(
      `<h2>${e(view.environment)}</h2>`,
      `<p>${e(scheduleText(view).replaceAll("`", ""))}</p>`,
      `<p>${e(summaryText(summaryOf(view.drills)))}</p>`,
    );
    if (view.drills.length === 0) body.push("<p><em>No drill ran in this period.</em></p>");
    else {
      const rows = view.drills.map((drill) => {
        const cells = rowOf(drill)
          .map((value) => `<td>${e(value)}</td>`)
          .join("");
        return `<tr${drill.outcome === "failed" ? ' class="failed"' : ""}>${cells}</tr>`;
      });
      body.push(
        `<table><thead><tr>${HEADER.map((h) => `<th scope="col">${e(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`,
      );
    }
    const failures = view.drills.filter((d) => d.outcome === "failed" || d.outcome === "cancelled");
    if (failures.length > 0) {
      body.push("<h3>Failure reasons</h3><ul>");
      for (const drill of failures)
        body.push(
          `<li>${e(`${markdownUtc(drill.startedAt ?? drill.createdAt)}, ${drill.backup.name}: ${drill.error ?? "no reason recorded"} (run ${drill.id})`)}</li>`,
        );
      body.push("</ul>");
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Restore drill evidence</title><style>${PRINT_CSS}</style></head><body>${body.join("\n")}</body></html>\n`;
}

export const EXPORT_FORMATS = ["markdown", "html"] as const;

/** The evidence of a period as a document, audited (who exported what period). */
export async function exportDrillEvidence({
  ctx,
  input,
  format,
  now = new Date(),
}: {
  ctx: Ctx<SessionUser>;
  input: ListDrillsInput;
  format: (typeof EXPORT_FORMATS)[number];
  now?: Date;
}): Promise<{ filename: string; contentType: string; body: string }> {
  const overview = await listDrills({ ctx, input, now });
  const evidence: DrillEvidence = { ...overview, generatedAt: now.toISOString(), generatedBy: ctx.user.email };
  await recordAuditEvent(ctx.db, {
    actor: actorOf(ctx),
    action: "drill.evidence.exported",
    payload: { from: overview.from, to: overview.to, format, environment: ListDrillsInput.parse(input).environment ?? null },
    requestId: ctx.requestId,
  });
  const stem = `restore-drills-${overview.from.slice(0, 10)}-to-${overview.to.slice(0, 10)}`;
  return format === "markdown"
    ? { filename: `${stem}.md`, contentType: "text/markdown; charset=utf-8", body: drillEvidenceMarkdown(evidence) }
    : { filename: `${stem}.html`, contentType: "text/html; charset=utf-8", body: drillEvidenceHtml(evidence) };
}
