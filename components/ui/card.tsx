import type { ReactNode } from "react";
import { cx } from "./cx";

const PADDING = { none: "", md: "p-4", lg: "p-6" } as const;

export interface CardProps {
  /** `section` when the card has a CardHeader title, so it shows up as a region. */
  as?: "div" | "section" | "article";
  /** "none" when CardHeader/CardBody or an `embedded` Table should run edge to edge. */
  padding?: keyof typeof PADDING;
  className?: string;
  children: ReactNode;
}

export function Card({ as: Element = "div", padding = "md", className, children }: CardProps) {
  return <Element className={cx("rounded-lg border border-border bg-surface shadow-xs", PADDING[padding], className)}>{children}</Element>;
}

export interface CardHeaderProps {
  title: ReactNode;
  description?: ReactNode;
  /** Buttons or links on the right of the title. */
  actions?: ReactNode;
  /** Heading level in the page outline: h2 under the page's h1, h3 for cards inside a section. */
  level?: 2 | 3;
}

export function CardHeader({ title, description, actions, level = 2 }: CardHeaderProps) {
  const Heading = level === 2 ? "h2" : "h3";
  return (
    <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2 border-b border-border px-4 py-3">
      <div className="min-w-0">
        <Heading className="text-sm font-semibold">{title}</Heading>
        {description && <p className="mt-0.5 text-muted">{description}</p>}
      </div>
      {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
    </div>
  );
}

export function CardBody({ className, children }: { className?: string; children: ReactNode }) {
  return <div className={cx("px-4 py-3", className)}>{children}</div>;
}
