import type { ComponentProps } from "react";
import { cx } from "@/components/ui/cx";
import { controlClasses } from "@/components/ui/input";

/** A multi-line control styled like Input (scope, notes, review text). */
export function IncidentTextarea({ className, rows = 3, ...rest }: ComponentProps<"textarea">) {
  return <textarea rows={rows} className={cx(controlClasses, "h-auto py-2 leading-relaxed", className)} {...rest} />;
}
