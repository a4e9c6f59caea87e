"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ComponentProps, type ReactNode } from "react";
import { outcomeAnchor, type OutcomeAnchor, type RunAction } from "@/lib/restore/action-outcome";
import type { RestoreRunView } from "@/lib/restore/restore-run-views";

interface OutcomeFocus {
  /** Called once an action succeeded (and its run was fetched again): focus moves after the next render. */
  focusOutcome: (action: RunAction, response: unknown) => void;
  register: (anchor: OutcomeAnchor, element: HTMLElement) => () => void;
}

const OutcomeFocusContext = createContext<OutcomeFocus | null>(null);

/**
 * Moves focus to what an action did, once the page shows it (WCAG 2.4.3): the element that says so
 * registers itself under its anchor name with useOutcomeAnchor (and takes tabIndex={-1}).
 */
export function OutcomeFocusProvider({ run, children }: { run: RestoreRunView; children: ReactNode }) {
  const anchors = useRef(new Map<OutcomeAnchor, HTMLElement>());
  const [request, setRequest] = useState<{ id: number; action: RunAction; response: unknown } | null>(null);
  const handled = useRef(0);

  useEffect(() => {
    if (request === null || request.id === handled.current) return;
    handled.current = request.id;
    const anchor = outcomeAnchor(request.action, run, request.response);
    (anchors.current.get(anchor) ?? anchors.current.get("status"))?.focus();
  }, [request, run]);

  const value = useMemo<OutcomeFocus>(
    () => ({
      focusOutcome: (action, response) => setRequest((last) => ({ id: (last?.id ?? 0) + 1, action, response })),
      register: (anchor, element) => {
        anchors.current.set(anchor, element);
        return () => {
          if (anchors.current.get(anchor) === element) anchors.current.delete(anchor);
        };
      },
    }),
    [],
  );
  return <OutcomeFocusContext.Provider value={value}>{children}</OutcomeFocusContext.Provider>;
}

/** After an action succeeded: `focusOutcome(action, response)`. Outside a run page, a no-op. */
export function useFocusOutcome(): OutcomeFocus["focusOutcome"] {
  return useContext(OutcomeFocusContext)?.focusOutcome ?? noop;
}

const noop = () => undefined;

/** A ref for the element that says what happened (give it tabIndex={-1}). */
export function useOutcomeAnchor(anchor: OutcomeAnchor): (element: HTMLElement | null) => (() => void) | undefined {
  const context = useContext(OutcomeFocusContext);
  return useCallback(
    (element: HTMLElement | null) => (element && context ? context.register(anchor, element) : undefined),
    [context, anchor],
  );
}

/** A block focus moves to when `anchor` is what an action led to (a banner, the status line). */
export function OutcomeBanner({ anchor, ...props }: { anchor: OutcomeAnchor } & Omit<ComponentProps<"div">, "ref" | "tabIndex">) {
  return <div ref={useOutcomeAnchor(anchor)} tabIndex={-1} {...props} />;
}
