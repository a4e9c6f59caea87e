import type { ReactNode } from "react";
import { Field } from "./field";

/** The shortest reason the server takes for an audited exception (an override, an acceptance). */
export const MIN_REASON_LENGTH = 10;

/** A person's written reason for an audited exception: required, at least MIN_REASON_LENGTH characters. */
export function ReasonField({
  id,
  label,
  hint,
  error,
  value,
  onChange,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: ReactNode;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(p) => (
        <textarea
          {...p}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          rows={3}
          required
          minLength={MIN_REASON_LENGTH}
          className="w-full rounded-md border border-border bg-surface px-3 py-2 text-sm"
        />
      )}
    </Field>
  );
}
