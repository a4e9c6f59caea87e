import type { ReactNode } from "react";
import { cx } from "./cx";
import { Label } from "./label";

/** Props a Field hands to its control, so label, hint and error are wired for screen readers. */
export interface FieldControlProps {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

export interface FieldProps {
  /** The control's id; the hint and error ids derive from it. */
  id: string;
  label: ReactNode;
  /** Format or meaning, e.g. "UTC, e.g. 2026-11-25T10:00:00Z". */
  hint?: ReactNode;
  /** Shown in red under the control, and marks the control invalid. */
  error?: ReactNode;
  className?: string;
  /** Render the control with the props given: `{(p) => <Input {...p} name="actor" />}`. */
  children: (control: FieldControlProps) => ReactNode;
}

export function Field({ id, label, hint, error, className, children }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cx("space-y-1.5", className)}>
      <Label htmlFor={id}>{label}</Label>
      {children({ id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {hint && (
        <p id={hintId} className="text-xs text-muted">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="text-xs font-medium text-danger-text">
          {error}
        </p>
      )}
    </div>
  );
}
