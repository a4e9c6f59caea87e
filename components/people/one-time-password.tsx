"use client";

import { Check, Copy, KeyRound } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

/**
 * A one-time password, shown this once: it is not stored in clear anywhere, so closing the
 * dialog loses it (a reset makes a new one).
 */
export function OneTimePassword({ email, password }: { email: string; password: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-3">
      <p>
        Give this one-time password to <strong className="break-all">{email}</strong> over a channel you trust. They must choose their own
        password when they first sign in with it.
      </p>
      <div className="flex flex-wrap items-center gap-2 rounded-md border border-warning/40 bg-warning-soft px-3 py-2">
        <KeyRound aria-hidden className="size-4 shrink-0 text-warning-text" />
        <code aria-label="One-time password" className="min-w-0 flex-1 font-mono text-sm break-all select-all">
          {password}
        </code>
        <Button
          size="sm"
          icon={copied ? <Check aria-hidden /> : <Copy aria-hidden />}
          onClick={() => {
            void navigator.clipboard?.writeText(password).then(() => setCopied(true));
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      <p className="text-xs text-muted" role="note">
        Shown once. It is not kept anywhere you can see it again; if it is lost, reset the password.
      </p>
    </div>
  );
}
