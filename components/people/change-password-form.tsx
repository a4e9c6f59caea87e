"use client";

import { signOut } from "next-auth/react";
import { useId, useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { apiFetch } from "@/lib/client/api";

const MIN_LENGTH = 12;

/** Current password (or the one-time one), the new one twice; on success every session ends and sign-in follows. */
export function ChangePasswordForm({ oneTime }: { oneTime: boolean }) {
  const id = useId();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const tooShort = next.length > 0 && next.length < MIN_LENGTH;
  const mismatch = repeat.length > 0 && repeat !== next;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    if (next.length < MIN_LENGTH || next !== repeat) {
      setError(next !== repeat ? "The two new passwords differ." : `Use at least ${MIN_LENGTH} characters.`);
      return;
    }
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/users/me/password", { method: "POST", body: { currentPassword: current, newPassword: next } });
      setDone(true);
      await signOut({ callbackUrl: "/signin" });
    } catch (e) {
      setError(e instanceof Error ? e.message : "The password could not be changed. Try again.");
      setPending(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-4">
      <Field id={`${id}-current`} label={oneTime ? "One-time password" : "Current password"}>
        {(p) => (
          <Input
            {...p}
            type="password"
            required
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        )}
      </Field>
      <Field
        id={`${id}-new`}
        label="New password"
        hint={`At least ${MIN_LENGTH} characters.`}
        error={tooShort ? `Use at least ${MIN_LENGTH} characters.` : undefined}
      >
        {(p) => (
          <Input
            {...p}
            type="password"
            required
            minLength={MIN_LENGTH}
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        )}
      </Field>
      <Field id={`${id}-repeat`} label="New password again" error={mismatch ? "The two new passwords differ." : undefined}>
        {(p) => (
          <Input {...p} type="password" required autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        )}
      </Field>
      {error && (
        <p role="alert" className="text-sm font-medium text-danger-text">
          {error}
        </p>
      )}
      {done && (
        <p role="status" className="text-sm text-success-text">
          Password changed. Taking you to sign in…
        </p>
      )}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Button variant="primary" type="submit" loading={pending} className="w-full">
          Change password
        </Button>
        <Button variant="ghost" size="sm" className="w-full" onClick={() => void signOut({ callbackUrl: "/signin" })}>
          Sign out instead
        </Button>
      </div>
    </form>
  );
}
