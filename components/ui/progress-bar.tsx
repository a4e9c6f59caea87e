import { cx } from "./cx";

export interface ProgressBarProps {
  /** Accessible name, e.g. "Restore progress". */
  label: string;
  /** 0..max; omit (or null) when the total is unknown: the bar is then indeterminate. */
  value?: number | null;
  max?: number;
  /** Human wording of the value for screen readers, e.g. "3 of 7 steps". */
  valueText?: string;
  tone?: "accent" | "success" | "warning" | "danger";
  className?: string;
}

const TONES = { accent: "bg-accent", success: "bg-success", warning: "bg-warning", danger: "bg-danger" } as const;

export function ProgressBar({ label, value, max = 100, valueText, tone = "accent", className }: ProgressBarProps) {
  const determinate = typeof value === "number" && Number.isFinite(value);
  const clamped = determinate ? Math.min(Math.max(value, 0), max) : 0;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={determinate ? 0 : undefined}
      aria-valuemax={determinate ? max : undefined}
      aria-valuenow={determinate ? clamped : undefined}
      aria-valuetext={valueText}
      className={cx("h-2 w-full overflow-hidden rounded-full bg-border", className)}
    >
      {determinate ? (
        <div
          className={cx("h-full rounded-full transition-[width] duration-300", TONES[tone])}
          style={{ width: `${(clamped / max) * 100}%` }}
        />
      ) : (
        // Reduced motion: a still, faded bar says "working" without movement.
        <div
          className={cx(
            "h-full w-2/5 rounded-full motion-safe:animate-indeterminate motion-reduce:w-full motion-reduce:opacity-40",
            TONES[tone],
          )}
        />
      )}
    </div>
  );
}
