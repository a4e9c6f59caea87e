import { Button } from "@/components/ui/button";
import { ButtonLink } from "@/components/ui/button-link";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";

export interface BackupFilterValues {
  env?: string;
  from?: string;
  to?: string;
  manifest?: string;
  verification?: string;
  search?: string;
}

export function BackupFilters({ values, errors }: { values: BackupFilterValues; errors: Record<string, string> }) {
  return (
    <form
      method="get"
      aria-label="Filter backups"
      className="mb-4 grid grid-cols-1 gap-3 rounded-lg border border-border bg-surface p-4 sm:grid-cols-3 lg:grid-cols-6"
    >
      {values.env && <input type="hidden" name="env" value={values.env} />}
      <Field id="backups-search" label="Name contains" error={errors.search} className="lg:col-span-2">
        {(p) => <Input {...p} name="search" defaultValue={values.search ?? ""} placeholder="2026-11" />}
      </Field>
      <Field id="backups-from" label="Taken from" error={errors.from}>
        {(p) => <Input {...p} type="date" name="from" defaultValue={values.from ?? ""} />}
      </Field>
      <Field id="backups-to" label="Taken to" error={errors.to}>
        {(p) => <Input {...p} type="date" name="to" defaultValue={values.to ?? ""} />}
      </Field>
      <Field id="backups-manifest" label="Manifest" error={errors.manifest}>
        {(p) => (
          <Select {...p} name="manifest" defaultValue={values.manifest ?? ""}>
            <option value="">Any</option>
            <option value="present">present</option>
            <option value="missing">missing</option>
            <option value="unreadable">unreadable</option>
            <option value="names-another-file">names another file</option>
          </Select>
        )}
      </Field>
      <Field id="backups-verification" label="Verification" error={errors.verification}>
        {(p) => (
          <Select {...p} name="verification" defaultValue={values.verification ?? ""}>
            <option value="">Any</option>
            <option value="never">never verified</option>
            <option value="verified">verified</option>
            <option value="mismatch">checksum mismatch</option>
          </Select>
        )}
      </Field>
      <div className="flex items-end gap-2 lg:col-span-6">
        <Button type="submit">Apply filters</Button>
        <ButtonLink href={values.env ? `/backups?env=${encodeURIComponent(values.env)}` : "/backups"} variant="ghost">
          Clear
        </ButtonLink>
      </div>
    </form>
  );
}
