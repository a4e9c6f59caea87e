import { TriangleAlert } from "lucide-react";
import Link from "next/link";
import { Fragment } from "react";
import { Badge } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { DrillView } from "@/lib/restore/drill/drill-model";
import { DrillOutcomeBadge, RtoVerdictBadge } from "./drill-badges";
import { checksText, rowCountDifference, rowCountsOf, rtoText, startedByOf } from "@/lib/restore/drill/drill-text";

const COLUMNS = 4;
// A long list of differing tables stays readable; the run page has them all.
const DIFFERENCES_SHOWN = 5;

function CopyDropped({ drill }: { drill: DrillView }) {
  if (drill.copyDropped) return <span className="text-muted">copy dropped</span>;
  if (drill.outcome === "running") return <span className="text-muted">copy not dropped yet</span>;
  return (
    <>
      <Badge tone="danger" icon={<TriangleAlert aria-hidden />}>
        copy not dropped
      </Badge>
      <p className="text-xs text-muted">
        {drill.method === "pitr" ? "check the server " : "check "}
        <span className="font-mono">{drill.scratchDatabase}</span>
        {drill.method === "pitr" ? "" : ` on ${drill.target}`}
      </p>
    </>
  );
}

function Checks({ checks }: { checks: DrillView["checks"] }) {
  return (
    <>
      <span className={checks && checks.failed.length > 0 ? "font-medium text-danger-text" : undefined}>{checksText(checks)}</span>
      {checks && checks.failed.length > 0 && <p className="text-xs text-danger-text">Failed: {checks.failed.join(", ")}</p>}
      {checks && checks.warnings.length > 0 && (
        <p className="text-xs text-muted">
          {checks.warnings.length} warning{checks.warnings.length === 1 ? "" : "s"}: {checks.warnings.join(", ")}
        </p>
      )}
    </>
  );
}

function RowCounts({ drill }: { drill: DrillView }) {
  const { text, differing } = rowCountsOf(drill);
  if (differing.length === 0) return <span>{text}</span>;
  return (
    <>
      <span className="font-medium text-danger-text">{text}</span>
      <ul className="text-xs text-danger-text">
        {differing.slice(0, DIFFERENCES_SHOWN).map((row) => (
          <li key={row.table}>{rowCountDifference(row)}</li>
        ))}
        {differing.length > DIFFERENCES_SHOWN && <li>and {differing.length - DIFFERENCES_SHOWN} more (see the run)</li>}
      </ul>
    </>
  );
}

/**
 * An environment's drills, newest first; a drill that did not pass has its reason in a row of its
 * own below. On a narrow screen the table scrolls sideways inside its own box, as every table here.
 */
export function DrillsTable({ drills, caption }: { drills: readonly DrillView[]; caption: string }) {
  return (
    <Table caption={caption} captionHidden embedded>
      <THead>
        <Tr>
          <Th>Started</Th>
          <Th>Backup</Th>
          <Th>Result</Th>
          <Th>Validation</Th>
        </Tr>
      </THead>
      <TBody>
        {drills.map((drill) => {
          const startedBy = startedByOf(drill);
          const startedAt = drill.startedAt ?? drill.createdAt;
          return (
            <Fragment key={drill.id}>
              <Tr data-drill-id={drill.id}>
                <Td>
                  <Link href={`/restores/${drill.id}`} className="text-accent-text underline-offset-2 hover:underline">
                    <Time value={startedAt} />
                  </Link>
                  <div className="text-xs text-muted">
                    <Time value={startedAt} relative />
                  </div>
                  <div className="max-w-56 truncate text-xs text-muted" title={`${startedBy.kind}: ${startedBy.name}`}>
                    {startedBy.kind}: {startedBy.name}
                  </div>
                </Td>
                <Td>
                  <div className="max-w-52 truncate font-mono text-xs/5" title={drill.backup.name}>
                    {drill.backup.id ? (
                      <Link href={`/backups/${drill.backup.id}`} className="text-accent-text underline-offset-2 hover:underline">
                        {drill.backup.name}
                      </Link>
                    ) : (
                      drill.backup.name
                    )}
                  </div>
                  <div className="text-xs whitespace-normal text-muted">
                    {/* A PITR drill restores its source to a point of the window rather than a dump. */}
                    {drill.method === "pitr" ? "PITR, restored to " : "taken "}
                    <Time value={drill.backup.takenAt} />
                  </div>
                </Td>
                <Td>
                  <DrillOutcomeBadge outcome={drill.outcome} />
                  <div className="mt-1 flex items-center gap-1.5 text-xs tabular-nums">
                    {rtoText(drill)}
                    <RtoVerdictBadge withinRto={drill.withinRto} />
                  </div>
                  <div className="text-xs">
                    <CopyDropped drill={drill} />
                  </div>
                </Td>
                <Td wrap className="min-w-40">
                  <Checks checks={drill.checks} />
                  <div className="text-xs">
                    <RowCounts drill={drill} />
                  </div>
                </Td>
              </Tr>
              {drill.outcome !== "passed" && drill.error && (
                <Tr>
                  <Td colSpan={COLUMNS} wrap className="bg-danger-soft text-danger-text">
                    <p className="max-w-[min(80ch,calc(100vw-6rem))]">
                      <span className="font-semibold">Why it {drill.outcome === "cancelled" ? "stopped" : "failed"}:</span> {drill.error}
                    </p>
                  </Td>
                </Tr>
              )}
            </Fragment>
          );
        })}
      </TBody>
    </Table>
  );
}
