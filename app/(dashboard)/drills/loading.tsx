import { Skeleton } from "@/components/ui/skeleton";

/** The Drills page's shape while its data loads: header, period, and one environment's card. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading the drills">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-4 w-full max-w-xl" />
      </div>
      <Skeleton className="mb-6 h-20 w-full" />
      <div className="space-y-6 rounded-lg border border-border bg-surface p-4">
        <div className="flex items-center justify-between gap-4">
          <Skeleton className="h-5 w-32" />
          <Skeleton className="h-9 w-32" />
        </div>
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-5">
          {[0, 1, 2, 3, 4].map((fact) => (
            <Skeleton key={fact} className="h-9" />
          ))}
        </div>
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <div className="flex flex-wrap gap-1">
            {Array.from({ length: 90 }, (_, day) => (
              <Skeleton key={day} className="size-4" />
            ))}
          </div>
          <Skeleton className="h-40 w-full" />
        </div>
        {[0, 1, 2, 3].map((row) => (
          <Skeleton key={row} className="h-4 w-full" />
        ))}
      </div>
    </div>
  );
}
