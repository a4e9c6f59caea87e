import type { ReactNode } from "react";
import { cx } from "./cx";

export interface EmptyStateProps {
  /** A lucide icon element; decorative. */
  icon?: ReactNode;
  title: ReactNode;
  /** What will appear here, and what to do to make it appear. */
  children?: ReactNode;
  /** Buttons or links: the next step. */
  action?: ReactNode;
  /** 1 when the empty state is the whole page (e.g. not found); 2 under a PageHeader. */
  level?: 1 | 2;
  className?: string;
}

export function EmptyState({ icon, title, children, action, level = 2, className }: EmptyStateProps) {
  const Heading = level === 1 ? "h1" : "h2";
  return (
    <div
      className={cx(
        "flex flex-col items-center rounded-lg border border-dashed border-border-strong/50 bg-surface px-6 py-12 text-center",
        className,
      )}
    >
      {icon && (
        <div className="mb-3 flex size-10 items-center justify-center rounded-full bg-subtle text-muted [&_svg]:size-5" aria-hidden>
          {icon}
        </div>
      )}
      <Heading className="text-base font-semibold">{title}</Heading>
      {children && <div className="mt-1.5 max-w-md space-y-2 text-pretty text-muted">{children}</div>}
      {action && <div className="mt-5 flex flex-wrap justify-center gap-2">{action}</div>}
    </div>
  );
}
