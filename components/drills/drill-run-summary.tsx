import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { formatDuration } from "@/lib/format";
import { formatMinutes } from "@/lib/incidents/measure-objectives";
import type { DrillRowCount } from "@/lib/restore/drill/drill-model";
import type { RestorePlan } from "@/lib/restore/read-plan";
import type { RestoreRunView, RestoreStepView } from "@/lib/restore/restore-run-views";

/** The manifest's counts the drill checked, from its validate step (a PITR drill has none). */
function rowCountsOf(steps: readonly RestoreStepView[]): DrillRowCount[] {
  const output = steps.find((s) => s.name === "validate")?.output as { rowCounts?: DrillRowCount[] } | null | undefined;
  return output?.rowCounts ?? [];
}

/**
 * What a finished drill proved, on its run page: how long it took to a validated copy against the
 * RTO objective, that what it restored is gone, and each table's rows against the manifest.
 */
export function DrillRunSummary({ run, plan, steps }: { run: RestoreRunView; plan: RestorePlan; steps: readonly RestoreStepView[] }) {
  const validate = steps.find((s) => s.name === "validate");
  const drop = steps.find((s) => s.name === "drop");
  const objective = plan.drill?.rtoMaxMinutes ?? null;
  const validatedMs =
    run.status === "succeeded" && run.startedAt && validate?.finishedAt
      ? Date.parse(validate.finishedAt) - Date.parse(run.startedAt)
      : null;
  const what = plan.kind === "pitr" ? "The restored server" : `The copy ${run.scratchDatabase}`;
  const rowCounts = rowCountsOf(steps);
  const differing = rowCounts.filter((row) => row.restored !== row.manifest).length;
  const finished = run.status !== "queued" && run.status !== "running";
  return (
    <>
      {finished && (
        <div
          role="status"
          className={
            run.status === "succeeded"
              ? "rounded-lg border border-success/30 bg-success-soft px-4 py-3 text-sm text-success-text"
              : "rounded-lg border border-border bg-subtle px-4 py-3 text-sm"
          }
        >
          {run.status === "succeeded" && validatedMs !== null && (
            <p className="font-semibold">
              Drill passed: restored and validated in {formatDuration(validatedMs)}
              {objective !== null &&
                `, ${validatedMs <= objective * 60_000 ? "within" : "over"} the RTO objective of ${formatMinutes(objective)}`}
              .
            </p>
          )}
          <p>
            {drop?.status === "succeeded"
              ? `${what} was dropped at the drill's end; nothing else was touched.`
              : drop?.status === "failed"
                ? `${what} could not be dropped: ${drop.error ?? "see the drop step"}`
                : `${what} is dropped when the drill ends.`}
          </p>
        </div>
      )}
      {rowCounts.length > 0 && (
        <Card padding="none">
          <CardHeader
            title="Row counts against the manifest"
            description={
              differing === 0
                ? `Every one of the ${rowCounts.length} tables the manifest counts holds exactly its rows.`
                : `${differing} of ${rowCounts.length} tables differ from the manifest.`
            }
          />
          <CardBody className="p-0">
            <Table caption="Row counts against the manifest" captionHidden embedded>
              <THead>
                <Tr>
                  <Th>Table</Th>
                  <Th numeric>Manifest</Th>
                  <Th numeric>Restored</Th>
                </Tr>
              </THead>
              <TBody>
                {rowCounts.map((row) => (
                  <Tr key={row.table}>
                    <Td mono>{row.table}</Td>
                    <Td numeric>{row.manifest.toLocaleString("en")}</Td>
                    <Td numeric className={row.restored === row.manifest ? undefined : "font-semibold text-danger-text"}>
                      {row.restored === null ? "missing" : row.restored.toLocaleString("en")}
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </CardBody>
        </Card>
      )}
    </>
  );
}
