import { formatUtc } from "./format";

// Markdown for the documents people download (incident reviews, drill evidence): tables whose
// cells hold one line and no column separators, and times in UTC (they are read across zones).

/** "2026-11-25 10:00:00 UTC", or "—" for no time. */
export function markdownUtc(value: string | null): string {
  return value ? formatUtc(value) : "—";
}

function markdownCell(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replace(/\r?\n/g, "<br>");
}

export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (values: readonly string[]) => `| ${values.map(markdownCell).join(" | ")} |`;
  return [line(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(line)].join("\n");
}
