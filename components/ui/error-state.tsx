import { TriangleAlert } from "lucide-react";
import type { ReactNode } from "react";

export interface ErrorStateProps {
  title?: ReactNode;
  /** What happened and what to do next (our errors' messages are written to be shown). */
  message: ReactNode;
  /** Server log reference, shown so support can find the full error. */
  digest?: string;
  /** Usually a "Try again" button. */
  action?: ReactNode;
}

export function ErrorState({ title = "Something went wrong", message, digest, action }: ErrorStateProps) {
  return (
    <div role="alert" className="rounded-lg border border-danger/30 bg-danger-soft px-5 py-4">
      <div className="flex gap-3">
        <TriangleAlert aria-hidden className="mt-0.5 size-5 shrink-0 text-danger" />
        <div className="min-w-0 flex-1">
          <h2 className="font-semibold text-danger-text">{title}</h2>
          <p className="mt-1 break-words whitespace-pre-line">{message}</p>
          {digest && (
            <p className="mt-2 text-xs text-muted">
              Reference for support: <code className="font-mono select-all">{digest}</code>
            </p>
          )}
          {action && <div className="mt-4 flex flex-wrap gap-2">{action}</div>}
        </div>
      </div>
    </div>
  );
}
