import type { Metadata } from "next";
import { DrillPeriodPicker } from "@/components/drills/drill-period-picker";
import { DrillsBoard } from "@/components/drills/drills-board";
import { periodLength, resolvePeriod, utcDayOf, type DrillPeriod } from "@/lib/restore/drill/drill-period";
import { EvidenceLinks } from "@/components/drills/evidence-links";
import { PageHeader } from "@/components/ui/page-header";
import type { SearchParams } from "@/components/ui/pagination";
import { hasRole } from "@/lib/auth/roles";
import { pageContext } from "@/lib/http/page-context";
import { DEFAULT_DRILL_PERIOD_DAYS, listDrills, ListDrillsInput } from "@/lib/restore/drill/list-drills";
import { firstParam } from "@/lib/search-params";

export const metadata: Metadata = { title: "Drills" };
export const dynamic = "force-dynamic";

/**
 * The period asked for in the URL, as two explicit days (so the page, the API and the evidence
 * report read the same days), or the default with the reasons a value was refused.
 */
function periodOf(asked: { from?: string; to?: string }, today: string): { period: DrillPeriod; errors: Record<string, string> } {
  const parsed = ListDrillsInput.safeParse(asked);
  const period = parsed.success ? resolvePeriod(parsed.data, today, DEFAULT_DRILL_PERIOD_DAYS) : null;
  // Checked again once filled in: a `from` alone may still fall after today.
  const checked = period ? ListDrillsInput.safeParse(period) : parsed;
  if (period && checked.success) return { period, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of checked.error?.issues ?? []) errors[String(issue.path[0])] = issue.message;
  return { period: resolvePeriod({}, today, DEFAULT_DRILL_PERIOD_DAYS), errors };
}

export default async function DrillsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const ctx = await pageContext("viewer");
  const today = utcDayOf(new Date());
  const params = await searchParams;
  const asked = { from: firstParam(params.from), to: firstParam(params.to) };
  const { period, errors } = periodOf(asked, today);
  const overview = await listDrills({ ctx, input: period });
  const days = periodLength(period);

  return (
    <>
      <PageHeader
        title="Restore drills"
        description={
          <>
            On a schedule, a backup is restored into a scratch copy on a non-production target, validated, timed and dropped: proof that
            restores work and how long they take. Showing {period.from} to {period.to} (UTC), {days} day{days === 1 ? "" : "s"}.
          </>
        }
        actions={<EvidenceLinks period={period} />}
      />
      <DrillPeriodPicker period={period} fields={Object.keys(errors).length > 0 ? asked : period} today={today} errors={errors} />
      <DrillsBoard initial={overview} period={period} canRun={hasRole(ctx.user.role, "operator")} />
    </>
  );
}
