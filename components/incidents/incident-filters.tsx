import { Button } from "@/components/ui/button";
import { ButtonLink } from "@/components/ui/button-link";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { INCIDENT_STATUSES, SEVERITIES } from "@/lib/incidents/state";

export interface IncidentFilterValues {
  environment?: string;
  severity?: string;
  status?: string;
  from?: string;
  to?: string;
}

/** A plain GET form: the filtered history is a URL that can be shared. */
export function IncidentFilters({
  values,
  environments,
  errors,
}: {
  values: IncidentFilterValues;
  environments: string[];
  errors: Record<string, string>;
}) {
  return (
    <form
      method="get"
      aria-label="Filter incidents"
      className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-border bg-surface p-4 sm:grid-cols-3 lg:grid-cols-5"
    >
      <Field id="incidents-environment" label="Environment" error={errors.environment}>
        {(p) => (
          <Select {...p} name="environment" defaultValue={values.environment ?? ""}>
            <option value="">Any</option>
            {environments.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="incidents-severity" label="Severity" error={errors.severity}>
        {(p) => (
          <Select {...p} name="severity" defaultValue={values.severity ?? ""}>
            <option value="">Any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s.toUpperCase()}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="incidents-status" label="Status" error={errors.status}>
        {(p) => (
          <Select {...p} name="status" defaultValue={values.status ?? ""}>
            <option value="">Any</option>
            <option value="active">not closed</option>
            {INCIDENT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="incidents-from" label="Started from" error={errors.from}>
        {(p) => <Input {...p} type="date" name="from" defaultValue={values.from ?? ""} />}
      </Field>
      <Field id="incidents-to" label="Started to" error={errors.to}>
        {(p) => <Input {...p} type="date" name="to" defaultValue={values.to ?? ""} />}
      </Field>
      <div className="flex items-end gap-2 sm:col-span-3 lg:col-span-5">
        <Button type="submit">Apply filters</Button>
        <ButtonLink href="/incidents" variant="ghost">
          Clear
        </ButtonLink>
      </div>
    </form>
  );
}
