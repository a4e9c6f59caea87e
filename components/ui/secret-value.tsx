import { KeyRound } from "lucide-react";
import { CopyButton } from "./copy-button";

/** A secret shown this once (a one-time password, an API token), selectable and with a copy button. */
export function SecretValue({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex flex-wrap items-center gap-2 rounded-md border border-warning/40 bg-warning-soft px-3 py-2">
      <KeyRound aria-hidden className="size-4 shrink-0 text-warning-text" />
      <code aria-label={label} className="min-w-0 flex-1 font-mono text-sm break-all select-all">
        {value}
      </code>
      <CopyButton value={value} />
    </div>
  );
}
