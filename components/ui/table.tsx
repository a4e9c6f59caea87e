import type { HTMLAttributes, ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cx } from "./cx";

export interface TableProps {
  /** Names the table for screen readers; visible unless `captionHidden`. */
  caption?: ReactNode;
  captionHidden?: boolean;
  /** Inside a Card: no border or background of its own. */
  embedded?: boolean;
  className?: string;
  children: ReactNode;
}

/**
 * Scrolls inside its own box (both ways) so the header row can stick while long lists scroll;
 * the box is capped near the viewport height, so the page rarely scrolls twice. The box is
 * positioned, so screen-reader-only text in a cell stays inside it instead of widening the page.
 */
export function Table({ caption, captionHidden = false, embedded = false, className, children }: TableProps) {
  return (
    <div
      className={cx(
        "relative max-h-[calc(100dvh-14rem)] min-h-0 overflow-auto",
        !embedded && "rounded-lg border border-border bg-surface",
        className,
      )}
    >
      <table className="w-full border-separate border-spacing-0 text-sm">
        {caption && <caption className={cx("px-3 py-2 text-left font-medium", captionHidden && "sr-only")}>{caption}</caption>}
        {children}
      </table>
    </div>
  );
}

export function THead({ children }: { children: ReactNode }) {
  return <thead>{children}</thead>;
}

/** Zebra rows and a hover highlight help the eye follow a row across wide tables. */
export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="[&>tr:hover]:bg-accent-soft/60 [&>tr:nth-child(even)]:bg-subtle/50">{children}</tbody>;
}

export function Tr(props: HTMLAttributes<HTMLTableRowElement>) {
  return <tr {...props} />;
}

export interface ThProps extends ThHTMLAttributes<HTMLTableCellElement> {
  /** Right-aligned, for columns of figures. */
  numeric?: boolean;
  /** "row" for a header cell at the start of a body row (e.g. a setting's name). */
  scope?: "col" | "row";
}

const HEADER_CELL = {
  // Opaque background: rows scroll underneath the sticky header.
  col: "sticky top-0 z-10 bg-subtle text-xs whitespace-nowrap text-muted",
  row: "align-top whitespace-nowrap",
} as const;

export function Th({ numeric = false, scope = "col", className, children, ...rest }: ThProps) {
  return (
    <th
      scope={scope}
      className={cx(
        "border-b border-border px-3 py-2 font-medium",
        HEADER_CELL[scope],
        numeric ? "text-right" : "text-left",
        scope === "row" && "[tr:last-child>&]:border-b-0",
        className,
      )}
      {...rest}
    >
      {children}
    </th>
  );
}

export interface TdProps extends TdHTMLAttributes<HTMLTableCellElement> {
  /** Right-aligned tabular figures, so digits line up down the column. */
  numeric?: boolean;
  /** Monospace, for identifiers, hashes and paths. */
  mono?: boolean;
  /** Let long text (messages, JSON) wrap; by default cells stay on one line and the table scrolls sideways. */
  wrap?: boolean;
}

export function Td({ numeric = false, mono = false, wrap = false, className, children, ...rest }: TdProps) {
  return (
    <td
      className={cx(
        "border-b border-border px-3 py-2 align-top [tr:last-child>&]:border-b-0",
        wrap ? "break-words" : "whitespace-nowrap",
        numeric && "text-right tabular-nums",
        // Same line height as the other cells, so top-aligned text shares a baseline.
        mono && "font-mono text-xs/5",
        className,
      )}
      {...rest}
    >
      {children}
    </td>
  );
}
