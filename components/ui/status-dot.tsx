import type { Tone } from "./badge";
import { cx } from "./cx";

const TONES: Record<Tone, string> = {
  neutral: "bg-muted",
  info: "bg-accent",
  success: "bg-success",
  warning: "bg-warning",
  danger: "bg-danger",
};

export interface StatusDotProps {
  tone: Tone;
  /** A soft halo for "in progress" states (still when the viewer prefers reduced motion). */
  pulse?: boolean;
  /** Read by screen readers when no visible text says the same thing. */
  label?: string;
  className?: string;
}

export function StatusDot({ tone, pulse = false, label, className }: StatusDotProps) {
  return (
    <span
      className={cx("relative inline-flex size-2 shrink-0", className)}
      role={label ? "img" : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    >
      {pulse && <span className={cx("absolute inset-0 rounded-full opacity-60 motion-safe:animate-ping", TONES[tone])} />}
      <span className={cx("relative size-2 rounded-full", TONES[tone])} />
    </span>
  );
}
