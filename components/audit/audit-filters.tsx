import { Button } from "@/components/ui/button";
import { ButtonLink } from "@/components/ui/button-link";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { AuditTimeField } from "./audit-time-field";

export interface AuditFilterValues {
  actor?: string;
  action?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

/** A plain GET form: filters live in the URL, so a filtered view can be shared and bookmarked. */
export function AuditFilters({
  values,
  actions,
  errors,
}: {
  values: AuditFilterValues;
  actions: string[];
  errors: Record<string, string>;
}) {
  return (
    <form
      method="get"
      className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-border bg-surface p-4 sm:grid-cols-2 lg:grid-cols-6"
      aria-label="Filter audit events"
    >
      <Field id="audit-actor" label="Actor" hint="Email contains" error={errors.actor} className="lg:col-span-2">
        {(p) => <Input {...p} name="actor" defaultValue={values.actor ?? ""} placeholder="ada@example.com" />}
      </Field>
      <Field id="audit-action" label="Action" hint="Starts with" error={errors.action}>
        {(p) => (
          <>
            <Input {...p} name="action" list="audit-action-list" defaultValue={values.action ?? ""} placeholder="backup." />
            <datalist id="audit-action-list">
              {actions.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field id="audit-outcome" label="Outcome" error={errors.outcome}>
        {(p) => (
          <Select {...p} name="outcome" defaultValue={values.outcome ?? ""}>
            <option value="">Any</option>
            <option value="ok">ok</option>
            <option value="denied">denied</option>
            <option value="unauthenticated">unauthenticated</option>
            <option value="failed">failed</option>
          </Select>
        )}
      </Field>
      <div className="sm:col-span-2 lg:col-span-3">
        <AuditTimeField id="audit-from" label="From" name="from" value={values.from} error={errors.from} />
      </div>
      <div className="sm:col-span-2 lg:col-span-3">
        <AuditTimeField id="audit-to" label="To" name="to" value={values.to} error={errors.to} />
      </div>
      <div className="flex items-end gap-2 lg:col-span-6">
        <Button type="submit">Apply filters</Button>
        <ButtonLink href="/audit" variant="ghost">
          Clear
        </ButtonLink>
      </div>
    </form>
  );
}
