"use client";

import { UsersRound } from "lucide-react";
import { createContext, useContext, type ReactNode } from "react";
import { ReasonField } from "@/components/ui/reason-field";
import type { FourEyesTerms } from "@/lib/approvals/four-eyes-terms";
import type { FourEyesAction } from "@/lib/config/schema";

export type { FourEyesTerms };

const FourEyesContext = createContext<FourEyesTerms | null>(null);

export function FourEyesProvider({ terms, children }: { terms: FourEyesTerms | null; children: ReactNode }) {
  return <FourEyesContext.Provider value={terms}>{children}</FourEyesContext.Provider>;
}

/** The terms when `action` on this run needs a second person; null when one person may do it. */
export function useFourEyes(action: FourEyesAction): FourEyesTerms | null {
  const terms = useContext(FourEyesContext);
  return terms && terms.actions.includes(action) ? terms : null;
}

/** Said before a guarded action: it becomes a request for a second person, and why is asked for. */
export function FourEyesReason({
  id,
  terms,
  value,
  onChange,
}: {
  id: string;
  terms: FourEyesTerms;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="space-y-2 rounded-md border border-accent/30 bg-accent-soft p-3 text-sm" data-testid="four-eyes-notice">
      <p className="flex items-start gap-2">
        <UsersRound aria-hidden className="mt-0.5 size-4 shrink-0" />
        <span>
          Four-eyes: this is not done at once. It is recorded as a request, and runs when a different person ({terms.approverRole} or above)
          approves it within {terms.windowMinutes} minutes.
        </span>
      </p>
      <ReasonField id={id} label="Why is this needed? (shown to the approver)" value={value} onChange={onChange} />
    </div>
  );
}
