import { Skeleton } from "./skeleton";

/**
 * Shown inside the shell while a page's data loads: the page's shape, without its content. A
 * segment's loading.tsx re-exports it only where no page below can be a 404: a loading boundary
 * starts the response early, after which a missing run, backup or incident would answer 200.
 */
export function PageSkeleton() {
  return (
    <div role="status" aria-label="Loading">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-4 w-full max-w-md" />
      </div>
      <div className="space-y-3 rounded-lg border border-border bg-surface p-4">
        <Skeleton className="h-5 w-1/3" />
        {[0, 1, 2, 3, 4].map((row) => (
          <Skeleton key={row} className="h-4 w-full" />
        ))}
      </div>
    </div>
  );
}
