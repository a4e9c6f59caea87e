"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { ReasonField } from "@/components/ui/reason-field";
import { apiFetch } from "@/lib/client/api";

/** An admin allows restoring a backup without a valid manifest, saying why (kept and audited). */
export function OverrideForm({ backupId }: { backupId: string }) {
  const router = useRouter();
  const [reason, setReason] = useState("");
  const grant = useMutation({
    mutationFn: () => apiFetch(`/api/backups/${backupId}/override`, { method: "POST", body: { reason } }),
    onSuccess: () => router.refresh(),
  });
  return (
    <form
      className="space-y-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (!grant.isPending) grant.mutate();
      }}
    >
      <ReasonField
        id="override-reason"
        label="Reason for allowing this backup"
        hint="Kept with the backup and in the audit log."
        error={grant.error?.message}
        value={reason}
        onChange={setReason}
      />
      <Button type="submit" variant="danger" loading={grant.isPending}>
        Allow restore without a valid manifest
      </Button>
    </form>
  );
}
