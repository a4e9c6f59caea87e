import { CircleCheck, CircleX, ShieldCheck, TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { ValidationResultView } from "@/lib/restore/restore-run-views";
import type { ReportComparison } from "@/lib/restore/validation/compare-reports";
import type { CheckResult } from "@/lib/restore/validation/types";

/** A result as the table shows it: the check, and an admin's acceptance when a blocking failure had one. */
export type ValidationRow = CheckResult & Partial<Pick<ValidationResultView, "acceptedAt" | "acceptedByEmail" | "acceptanceReason">>;

/** Pass; a failed warning (amber, stops nothing); a blocking failure, accepted or not (red). */
function ResultBadge({ result }: { result: ValidationRow }) {
  if (result.passed) {
    return (
      <Badge tone="success" icon={<CircleCheck aria-hidden />}>
        pass
      </Badge>
    );
  }
  if (result.severity === "warn") {
    return (
      <Badge tone="warning" icon={<TriangleAlert aria-hidden />}>
        warning
      </Badge>
    );
  }
  return (
    <Badge tone="danger" icon={<CircleX aria-hidden />}>
      fail
    </Badge>
  );
}

function formatActual(value: number | null): string {
  return value === null ? "—" : value.toLocaleString("en");
}

function formatChange(change: number | null, percent: number | null): string {
  if (change === null || change === 0) return "no change";
  const sign = change > 0 ? "+" : "";
  return `${sign}${change.toLocaleString("en")}${percent === null ? "" : ` (${sign}${percent.toFixed(1)}%)`}`;
}

/** Validation results: pass/fail, the numbers, and how they moved since the previous restore. */
export function ValidationTable({ results, comparison }: { results: ValidationRow[]; comparison?: ReportComparison | null }) {
  const changeOf = (result: CheckResult) => comparison?.checks.find((c) => c.name === result.name && c.kind === result.kind);
  return (
    <Table caption="Validation results" captionHidden embedded>
      <THead>
        <Tr>
          <Th>Check</Th>
          <Th>Result</Th>
          <Th>Expected</Th>
          <Th numeric>Actual</Th>
          {comparison && <Th>Since last restore</Th>}
          <Th>Details</Th>
        </Tr>
      </THead>
      <TBody>
        {results.map((r) => {
          const change = changeOf(r);
          return (
            <Tr
              key={`${r.kind}:${r.name}`}
              data-check={r.name}
              data-severity={r.severity}
              data-outcome={r.passed ? "pass" : r.severity === "warn" ? "warning" : r.acceptedAt ? "accepted" : "fail"}
              className={!r.passed && r.severity === "warn" ? "bg-warning-soft/50" : undefined}
            >
              <Td wrap className="min-w-48 max-w-72">
                <div className="font-medium">{r.name}</div>
                {r.description && <div className="text-xs text-muted">{r.description}</div>}
              </Td>
              <Td>
                <div className="flex flex-col items-start gap-1">
                  <ResultBadge result={r} />
                  {r.acceptedAt && (
                    <Badge tone="warning" icon={<ShieldCheck aria-hidden />}>
                      accepted
                    </Badge>
                  )}
                  <span className="text-xs text-muted">{r.severity === "warn" ? "warns only" : "blocks the swap"}</span>
                </div>
              </Td>
              <Td mono wrap className="max-w-56 text-xs">
                {r.expectation}
              </Td>
              <Td numeric>{formatActual(r.actual)}</Td>
              {comparison && <Td>{change ? formatChange(change.change, change.changePercent) : "new check"}</Td>}
              <Td wrap className="min-w-64 max-w-md text-xs">
                <p>{r.message}</p>
                {r.acceptedAt && (
                  <p className="mt-1 text-warning-text">
                    Accepted by {r.acceptedByEmail ?? "an admin"} <Time value={r.acceptedAt} relative />: {r.acceptanceReason}
                  </p>
                )}
                {r.rows && r.rows.length > 0 && (
                  <details className="mt-1">
                    <summary className="cursor-pointer text-muted">
                      {r.rowCount ?? r.rows.length} row{(r.rowCount ?? r.rows.length) === 1 ? "" : "s"} · SQL
                    </summary>
                    <pre className="mt-1 overflow-x-auto rounded bg-subtle p-2">{r.sql}</pre>
                    <pre className="mt-1 overflow-x-auto rounded bg-subtle p-2">{JSON.stringify(r.rows, null, 2)}</pre>
                  </details>
                )}
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}
