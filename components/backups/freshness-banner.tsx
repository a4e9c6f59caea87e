import { CircleAlert, CircleCheck, CircleX } from "lucide-react";
import type { BackupHealth } from "@/lib/backups/get-backup-health";
import { cx } from "@/components/ui/cx";

const STYLE = {
  green: { icon: CircleCheck, classes: "border-success/30 bg-success-soft text-success-text" },
  amber: { icon: CircleAlert, classes: "border-warning/40 bg-warning-soft text-warning-text" },
  red: { icon: CircleX, classes: "border-danger/30 bg-danger-soft text-danger-text" },
} as const;

/** Green/amber/red: is the newest verified backup within the recovery-point objective, and are the recent ones sound? */
export function FreshnessBanner({ health, title }: { health: BackupHealth; title?: string }) {
  const style = STYLE[health.status];
  const Icon = style.icon;
  return (
    <div role="status" data-freshness={health.status} className={cx("flex items-start gap-3 rounded-lg border px-4 py-3", style.classes)}>
      <Icon aria-hidden className="mt-0.5 size-5 shrink-0" />
      <div className="text-sm">
        <p className="font-semibold">
          {title ? `${title}: ` : ""}
          {health.headline}
        </p>
        <p>{health.summary}</p>
      </div>
    </div>
  );
}
