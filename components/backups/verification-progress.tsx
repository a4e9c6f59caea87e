"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";
import { ProgressBar } from "@/components/ui/progress-bar";
import type { VerificationView } from "@/lib/backups/backup-views";
import { formatBytes } from "@/lib/format";
import { useVerification } from "@/lib/client/use-verification";
import { VerificationBadge } from "./backup-badges";

/** Live progress of one verification: bytes, %, throughput; refreshes the page when it ends. */
export function VerificationProgress({ initial }: { initial: VerificationView }) {
  const router = useRouter();
  const { data } = useVerification(initial.id, initial);
  const v = data ?? initial;
  const live = v.status === "queued" || v.status === "running";
  useEffect(() => {
    if (!live) router.refresh();
  }, [live, router]);
  const percent = v.bytesTotal > 0 ? Math.min(100, Math.round((v.bytesDone / v.bytesTotal) * 100)) : null;
  const tone = v.status === "verified" ? "success" : v.status === "mismatch" || v.status === "failed" ? "danger" : "accent";
  return (
    <div className="space-y-1.5" data-testid="verification-progress">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <VerificationBadge state={v.status} />
        <span className="tabular-nums text-muted">
          {formatBytes(v.bytesDone)} of {formatBytes(v.bytesTotal)}
          {percent !== null && ` · ${percent}%`}
          {v.throughput !== null && ` · ${formatBytes(v.throughput)}/s`}
        </span>
      </div>
      <ProgressBar
        label="Verification progress"
        value={v.status === "queued" ? null : (percent ?? 0)}
        valueText={percent === null ? "waiting" : `${percent}%`}
        tone={tone}
      />
      {v.error && <p className="text-sm text-danger-text">{v.error}</p>}
    </div>
  );
}
