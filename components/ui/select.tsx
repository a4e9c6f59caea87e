import { ChevronDown } from "lucide-react";
import type { ComponentProps } from "react";
import { cx } from "./cx";
import { controlClasses } from "./input";

export type SelectProps = ComponentProps<"select">;

/** A native <select> (keyboard and screen-reader behaviour for free) with our control styling. */
export function Select({ className, children, ...rest }: SelectProps) {
  return (
    <div className={cx("relative", className)}>
      <select className={cx(controlClasses, "appearance-none pr-8")} {...rest}>
        {children}
      </select>
      <ChevronDown aria-hidden className="pointer-events-none absolute top-1/2 right-2.5 size-4 -translate-y-1/2 text-muted" />
    </div>
  );
}
