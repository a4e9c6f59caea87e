"use client";

import { LogIn } from "lucide-react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { parseThrottledError, throttledMessage } from "@/lib/auth/sign-in-throttled-error";
import { useHydrated } from "@/lib/client/use-hydrated";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";

export interface SignInFormProps {
  /** A same-origin path, already checked by the page. */
  callbackUrl: string;
  /** The single sign-on provider, when one is configured. */
  sso: { providerId: string; name: string } | null;
  /** An error from a previous attempt (next-auth redirects back here with `?error=`). */
  initialError: string | null;
}

// Deliberately the same for an unknown email, a wrong password and a disabled account.
const BAD_CREDENTIALS = "Email or password is incorrect.";

export function SignInForm({ callbackUrl, sso, initialError }: SignInFormProps) {
  const router = useRouter();
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState<"credentials" | "sso" | null>(null);
  // Until React has hydrated, a click would submit the form natively; keep the button off till then.
  const hydrated = useHydrated();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    const form = new FormData(event.currentTarget);
    setPending("credentials");
    setError(null);
    try {
      const result = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
      });
      if (result?.ok && !result.error) {
        // Stay "signing in" until the next page replaces this one.
        router.replace(callbackUrl);
        router.refresh();
        return;
      }
      const wait = parseThrottledError(result?.error);
      setError(
        wait !== null
          ? throttledMessage(wait)
          : !result || result.error === "CredentialsSignin"
            ? BAD_CREDENTIALS
            : "Sign-in failed on the server. Try again; if it keeps failing, tell an admin.",
      );
    } catch {
      setError("Could not reach Restore Console. Check your connection and try again.");
    }
    setPending(null);
  }

  return (
    <div className="space-y-4">
      {/* method="post": even a native submit must never put the password in the URL. */}
      <form method="post" onSubmit={onSubmit} className="space-y-4">
        {error && (
          <p role="alert" className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 font-medium text-danger-text">
            {error}
          </p>
        )}
        <Field id="email" label="Email">
          {(control) => <Input {...control} name="email" type="email" autoComplete="username" autoFocus required spellCheck={false} />}
        </Field>
        <Field id="password" label="Password">
          {(control) => <Input {...control} name="password" type="password" autoComplete="current-password" required />}
        </Field>
        <Button
          type="submit"
          variant="primary"
          className="w-full"
          icon={<LogIn aria-hidden />}
          disabled={!hydrated}
          loading={pending === "credentials"}
        >
          Sign in
        </Button>
      </form>
      {sso && (
        <>
          <div className="flex items-center gap-3 text-xs text-muted" aria-hidden>
            <span className="h-px flex-1 bg-border" />
            or
            <span className="h-px flex-1 bg-border" />
          </div>
          <Button
            className="w-full"
            loading={pending === "sso"}
            onClick={() => {
              setPending("sso");
              void signIn(sso.providerId, { callbackUrl });
            }}
          >
            {/* Not "Sign in with …": the password form's "Sign in" button must stay the only one named so. */}
            Continue with {sso.name}
          </Button>
        </>
      )}
    </div>
  );
}
