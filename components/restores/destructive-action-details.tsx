"use client";

import { ArrowRight } from "lucide-react";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { DestructiveActions } from "@/lib/restore/get-restore-run";

export type DestructiveAction = "rollback" | "cleanup";

/** The text to type for `action`, or null when none is asked (unprotected, nothing to drop) or not known (server unreachable). */
export function expectedConfirmation(action: DestructiveAction, destructive: DestructiveActions): string | null {
  if (!destructive.protected) return null;
  return action === "rollback" ? (destructive.rollback?.confirmation ?? null) : (destructive.cleanup?.confirmation ?? null);
}

/** Whether the server will ask for typed text: a protected environment, unless a clean-up has nothing left to drop. */
export function needsConfirmation(action: DestructiveAction, destructive: DestructiveActions): boolean {
  if (!destructive.protected) return false;
  return action === "rollback" || destructive.cleanup?.drops === null || (destructive.cleanup?.drops.length ?? 0) > 0;
}

/**
 * Inside the Roll back and Clean up dialogs: every database renamed (from → to) or dropped, by
 * name, and on a protected environment the typed confirmation the server checks.
 */
export function DestructiveActionDetails({
  action,
  destructive,
  typed,
  onTyped,
  error,
}: {
  action: DestructiveAction;
  destructive: DestructiveActions;
  typed: string;
  onTyped: (value: string) => void;
  error?: string;
}) {
  const expected = expectedConfirmation(action, destructive);
  const cleanup = destructive.cleanup;
  return (
    <div className="space-y-3 text-sm">
      {action === "rollback" && destructive.rollback && (
        <ul className="space-y-1" aria-label="Databases renamed">
          {destructive.rollback.renames.map((r) => (
            <li key={r.from} className="flex flex-wrap items-center gap-1.5" data-rename-from={r.from}>
              <span className="font-mono break-all">{r.from}</span>
              <ArrowRight aria-label="becomes" className="size-3.5 text-muted" />
              <span className="font-mono break-all">{r.to}</span>
            </li>
          ))}
        </ul>
      )}
      {action === "cleanup" && cleanup && (
        <>
          {cleanup.drops === null ? (
            <p>
              The database server could not be asked which of these still exist; only those are dropped:{" "}
              <span className="font-mono break-all">{cleanup.candidates.join(", ")}</span>
            </p>
          ) : cleanup.drops.length === 0 ? (
            <p>Nothing is left on the server to drop; this only marks the clean-up done.</p>
          ) : (
            <ul className="list-disc space-y-1 pl-5" aria-label="Databases dropped">
              {cleanup.drops.map((name) => (
                <li key={name} className="font-mono break-all" data-drop={name}>
                  {name}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {needsConfirmation(action, destructive) && (
        <Field
          id={`${action}-confirmation`}
          label={
            expected ? (
              <>
                This environment is protected. Type <span className="font-mono break-all">{expected}</span> to confirm
              </>
            ) : (
              "This environment is protected. Type the confirmation text the server asks for"
            )
          }
          error={error}
        >
          {(p) => (
            <Input
              {...p}
              value={typed}
              onChange={(e) => onTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
            />
          )}
        </Field>
      )}
    </div>
  );
}
