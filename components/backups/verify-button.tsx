"use client";

import { ShieldCheck } from "lucide-react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import type { VerificationView } from "@/lib/backups/backup-views";
import { apiFetch } from "@/lib/client/api";
import { VerificationProgress } from "./verification-progress";

/** Starts (or joins) a verification and shows its progress in place. */
export function VerifyButton({
  backupId,
  name,
  active,
  size = "sm",
}: {
  backupId: string;
  name: string;
  active?: VerificationView | null;
  size?: "sm" | "md";
}) {
  const verify = useMutation({
    mutationFn: () => apiFetch<VerificationView>(`/api/backups/${backupId}/verify`, { method: "POST" }),
  });
  const running = verify.data ?? active ?? null;
  if (running) return <VerificationProgress initial={running} />;
  return (
    <div className="space-y-1">
      <Button
        size={size}
        icon={<ShieldCheck aria-hidden />}
        loading={verify.isPending}
        onClick={() => verify.mutate()}
        aria-label={`Verify ${name}`}
      >
        Verify
      </Button>
      {verify.error && <p className="text-xs text-danger-text">{verify.error.message}</p>}
    </div>
  );
}
