import { FileDown, Printer } from "lucide-react";
import { buttonClasses } from "@/components/ui/button";
import { periodQuery, type DrillPeriod } from "@/lib/restore/drill/drill-period";

/** The period's drill evidence for an auditor: plain links, since the API sends the documents themselves. */
export function EvidenceLinks({ period }: { period: DrillPeriod }) {
  const href = (format: "markdown" | "html") => `/api/drills/report?${periodQuery(period, { format })}`;
  return (
    <>
      <a href={href("markdown")} download className={buttonClasses()}>
        <FileDown aria-hidden />
        Evidence (Markdown)
      </a>
      <a href={href("html")} target="_blank" rel="noopener" className={buttonClasses()}>
        <Printer aria-hidden />
        Evidence (printable HTML)
        <span className="sr-only"> (opens in a new tab)</span>
      </a>
    </>
  );
}
