"use client";

import { SecretValue } from "@/components/ui/secret-value";

/**
 * A one-time password, shown this once: it is not stored in clear anywhere, so closing the
 * dialog loses it (a reset makes a new one).
 */
export function OneTimePassword({ email, password }: { email: string; password: string }) {
  return (
    <div className="space-y-3">
      <p>
        Give this one-time password to <strong className="break-all">{email}</strong> over a channel you trust. They must choose their own
        password when they first sign in with it.
      </p>
      <SecretValue label="One-time password" value={password} />
      <p className="text-xs text-muted" role="note">
        Shown once. It is not kept anywhere you can see it again; if it is lost, reset the password.
      </p>
    </div>
  );
}
