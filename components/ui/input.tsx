import type { ComponentProps } from "react";
import { cx } from "./cx";

/** Shared by Input and Select so every control has the same height, border and invalid state. */
export const controlClasses = cx(
  "h-9 w-full rounded-md border border-border-strong/70 bg-surface px-3 text-sm text-fg shadow-xs",
  "placeholder:text-muted/80 disabled:cursor-not-allowed disabled:opacity-60",
  "focus-visible:border-focus focus-visible:outline-offset-0",
  "aria-invalid:border-danger aria-invalid:focus-visible:outline-danger",
);

export type InputProps = ComponentProps<"input">;

export function Input({ className, type = "text", ...rest }: InputProps) {
  return <input type={type} className={cx(controlClasses, "tabular-nums", className)} {...rest} />;
}
