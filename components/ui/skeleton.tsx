import { cx } from "./cx";

/** A grey placeholder block; size it with className. Wrap a group of them in a labelled status. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cx("rounded-md bg-border motion-safe:animate-pulse", className)} />;
}
