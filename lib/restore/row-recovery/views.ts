import type { Prisma } from "@/lib/generated/prisma/client";
import { TableComparison, TableRef } from "@/lib/providers/postgres/row-compare-model";
import { COMPARISON_STATUSES, ComparisonProgress, RowFilter, type ComparisonStatus, type RowComparisonView } from "./model";

/** A view reads every column but the repair's statements (they hold the rows themselves). */
export const WITHOUT_REPAIR = { repair: true } as const;

export type ComparisonRecord = Prisma.RowComparisonGetPayload<{ omit: typeof WITHOUT_REPAIR }>;

const isStatus = (value: string): value is ComparisonStatus => (COMPARISON_STATUSES as readonly string[]).includes(value);

/** What a viewer sees of the results: the counts, not the rows. */
const withoutSamples = (result: TableComparison): TableComparison => ({
  ...result,
  missing: { ...result.missing, samples: [] },
  changed: { ...result.changed, samples: [] },
  extra: { ...result.extra, samples: [] },
  outsideFilter: { ...result.outsideFilter, samples: [] },
});

export function rowComparisonView(record: ComparisonRecord, options: { withSamples: boolean }): RowComparisonView {
  const parsed = TableComparison.array().safeParse(record.results);
  const results = parsed.success ? parsed.data : [];
  const progress = ComparisonProgress.safeParse(record.progress);
  return {
    id: record.id,
    runId: record.runId,
    environment: record.environment,
    targetName: record.targetName,
    liveDatabase: record.liveDatabase,
    restoredDatabase: record.restoredDatabase,
    tables: TableRef.array().parse(record.tables),
    filter: RowFilter.parse(record.filter),
    status: isStatus(record.status) ? record.status : "failed",
    progress: record.status === "running" && progress.success ? progress.data : null,
    error: record.error,
    results: options.withSamples ? results : results.map(withoutSamples),
    samplesHidden: !options.withSamples,
    repair:
      record.repairInserts !== null && record.repairUpdates !== null
        ? { inserts: record.repairInserts, updates: record.repairUpdates }
        : null,
    repairWithheld: record.repairWithheld,
    requestedByEmail: record.requestedByEmail,
    createdAt: record.createdAt.toISOString(),
    finishedAt: record.finishedAt?.toISOString() ?? null,
    dryRun:
      record.dryRunAt && record.dryRunRows !== null
        ? { at: record.dryRunAt.toISOString(), rows: record.dryRunRows, includesUpdates: record.dryRunIncludesUpdates ?? false }
        : null,
    applied: record.appliedAt
      ? {
          at: record.appliedAt.toISOString(),
          byEmail: record.appliedByEmail ?? "?",
          rows: record.appliedRows,
          includesUpdates: record.appliedIncludesUpdates ?? false,
        }
      : null,
  };
}
