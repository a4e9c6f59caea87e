import { CircleAlert, CircleCheck, CircleX, type LucideIcon } from "lucide-react";
import type { BackupHealth, FreshnessStatus } from "@/lib/backups/get-backup-health";
import type { Tone } from "@/components/ui/badge";
import { cx } from "@/components/ui/cx";

/** Each freshness status's icon, tone and banner colours: the backups' and the replicas' alike. */
export const FRESHNESS_STYLE: Readonly<Record<FreshnessStatus, { icon: LucideIcon; tone: Tone; classes: string }>> = {
  green: { icon: CircleCheck, tone: "success", classes: "border-success/30 bg-success-soft text-success-text" },
  amber: { icon: CircleAlert, tone: "warning", classes: "border-warning/40 bg-warning-soft text-warning-text" },
  red: { icon: CircleX, tone: "danger", classes: "border-danger/30 bg-danger-soft text-danger-text" },
};

/** Green/amber/red: is the newest verified backup within the recovery-point objective, and are the recent ones sound? */
export function FreshnessBanner({ health, title }: { health: BackupHealth; title?: string }) {
  const style = FRESHNESS_STYLE[health.status];
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
