import Link from "next/link";
import { Button, buttonClasses } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { DRILL_PERIOD_PRESETS, lastDays, periodQuery, presetOf, type DrillPeriod } from "@/lib/restore/drill/drill-period";

/**
 * The period as one-click lengths ending today, or any two days; both land in the page's URL.
 * `fields` is what the date fields show: the period, or what was typed when it was refused.
 */
export function DrillPeriodPicker({
  period,
  fields,
  today,
  errors,
}: {
  period: DrillPeriod;
  fields: { from?: string; to?: string };
  today: string;
  errors: Record<string, string>;
}) {
  const preset = presetOf(period, today);
  return (
    <div className="mb-6 flex flex-wrap items-end gap-x-6 gap-y-4 rounded-lg border border-border bg-surface p-4">
      <nav aria-label="Period">
        <ul className="flex flex-wrap gap-1">
          {DRILL_PERIOD_PRESETS.map((days) => (
            <li key={days}>
              <Link
                href={`/drills?${periodQuery(lastDays(days, today))}`}
                aria-current={preset === days ? "true" : undefined}
                className={buttonClasses({ variant: preset === days ? "primary" : "secondary" })}
              >
                Last {days} days
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {/* Keyed by what it shows, so the fields take the new dates after a preset is followed. */}
      <form key={`${fields.from}:${fields.to}`} method="get" aria-label="Choose the period" className="flex flex-wrap items-end gap-3">
        <Field id="drills-from" label="From (UTC)" error={errors.from} className="w-40">
          {(p) => <Input {...p} type="date" name="from" defaultValue={fields.from} />}
        </Field>
        <Field id="drills-to" label="To (UTC)" error={errors.to} className="w-40">
          {(p) => <Input {...p} type="date" name="to" defaultValue={fields.to} />}
        </Field>
        <Button type="submit">Show</Button>
      </form>
    </div>
  );
}
