"use client";

import { Link2, Unlink } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { apiFetch } from "@/lib/client/api";

export interface LinkSsoIdentityFormProps {
  userId: string;
  email: string;
  /** The person's linked identity (see listSsoIdentities), or null. */
  identity: { subject: string; email: string | null } | null;
  /** The provider's name as the sign-in page shows it. */
  providerName: string;
}

/**
 * An admin links a single sign-on identity to a person, or removes it: the only way an SSO login
 * reaches an account it did not create (sign-in never joins accounts by email). Both are audited.
 */
export function LinkSsoIdentityForm({ userId, email, identity, providerName }: LinkSsoIdentityFormProps) {
  const router = useRouter();
  const [subject, setSubject] = useState("");
  const path = `/api/users/${userId}/link-sso`;
  const link = useMutation({
    mutationFn: () => apiFetch(path, { method: "POST", body: { subject: subject.trim() } }),
    onSuccess: () => {
      setSubject("");
      router.refresh();
    },
  });
  const unlink = useMutation({
    mutationFn: () => apiFetch(path, { method: "DELETE" }),
    onSuccess: () => router.refresh(),
  });

  if (identity) {
    return (
      <div className="space-y-2">
        <p className="text-sm">
          Signs in with {providerName} as <code className="font-mono text-xs">{identity.subject}</code>
          {identity.email ? ` (${identity.email})` : ""}.
        </p>
        {unlink.error && <p className="text-xs font-medium text-danger-text">{unlink.error.message}</p>}
        <Button size="sm" variant="danger" icon={<Unlink aria-hidden />} loading={unlink.isPending} onClick={() => unlink.mutate()}>
          Unlink {providerName} identity
        </Button>
      </div>
    );
  }

  const id = `link-sso-${userId}`;
  return (
    <form
      className="space-y-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (!link.isPending && subject.trim()) link.mutate();
      }}
    >
      <Field
        id={id}
        label={`${providerName} subject for ${email}`}
        hint="The identity's `sub`: the Audit log shows it on their refused sign-in (auth.sign_in, reason email_in_use)."
        error={link.error?.message}
      >
        {(control) => (
          <Input {...control} value={subject} onChange={(e) => setSubject(e.target.value)} spellCheck={false} autoComplete="off" />
        )}
      </Field>
      <Button type="submit" size="sm" icon={<Link2 aria-hidden />} loading={link.isPending} disabled={!subject.trim()}>
        Link {providerName} identity
      </Button>
    </form>
  );
}
