import { LoaderCircle } from "lucide-react";
import { cx } from "./cx";

const SIZES = { sm: "size-4", md: "size-5", lg: "size-8" } as const;

export interface SpinnerProps {
  size?: keyof typeof SIZES;
  /** Announced to screen readers; without it the spinner is decorative (e.g. inside a labelled button). */
  label?: string;
  className?: string;
}

export function Spinner({ size = "sm", label, className }: SpinnerProps) {
  const icon = <LoaderCircle aria-hidden className={cx(SIZES[size], "shrink-0 motion-safe:animate-spin", className)} />;
  if (!label) return icon;
  return (
    <span role="status" className="inline-flex items-center gap-2">
      {icon}
      <span className="sr-only">{label}</span>
    </span>
  );
}
