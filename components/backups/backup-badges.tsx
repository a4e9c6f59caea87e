import Link from "next/link";
import { ShieldCheck } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";
import { formatUtc } from "@/lib/format";
import type { ReplicaCopyStatus, BackupReplicaView } from "@/lib/backups/replica-copies";
import type { RestoreTested } from "@/lib/backups/restore-tested";

const MANIFEST: Record<string, { tone: Tone; label: string }> = {
  present: { tone: "success", label: "manifest" },
  missing: { tone: "warning", label: "no manifest" },
  unreadable: { tone: "danger", label: "manifest unreadable" },
  "names-another-file": { tone: "danger", label: "manifest names another file" },
};

const VERIFICATION: Record<string, { tone: Tone; label: string }> = {
  never: { tone: "neutral", label: "never verified" },
  verified: { tone: "success", label: "verified" },
  mismatch: { tone: "danger", label: "checksum mismatch" },
  queued: { tone: "info", label: "queued" },
  running: { tone: "info", label: "verifying…" },
  stalled: { tone: "warning", label: "stalled" },
  failed: { tone: "warning", label: "could not read" },
};

export function ManifestBadge({ state }: { state: string }) {
  const view = MANIFEST[state] ?? { tone: "neutral" as Tone, label: state };
  return <Badge tone={view.tone}>{view.label}</Badge>;
}

export function VerificationBadge({ state }: { state: string }) {
  const view = VERIFICATION[state] ?? { tone: "neutral" as Tone, label: state };
  return <Badge tone={view.tone}>{view.label}</Badge>;
}

/** The backup was restored and validated by a drill: the badge links to that drill's run. */
export function RestoreTestedBadge({ tested }: { tested: RestoreTested }) {
  return (
    <Link
      href={`/restores/${tested.runId}`}
      className="rounded-full"
      title={`Restored and validated by a drill, ${formatUtc(tested.at, "minute")}`}
    >
      <Badge tone="success" icon={<ShieldCheck aria-hidden />}>
        restore-tested
      </Badge>
    </Link>
  );
}

/** `mark`: the shorter sign the backups table shows instead of the label. */
const REPLICA_COPY: Record<ReplicaCopyStatus, { tone: Tone; label: string; mark?: string; meaning: string }> = {
  same: { tone: "success", label: "exact copy", mark: "✓", meaning: "holds an exact copy (the primary's size and ETag)" },
  differs: { tone: "warning", label: "differs", meaning: "holds a copy whose size or ETag is not the primary's" },
  missing: { tone: "warning", label: "missing", meaning: "does not hold this backup" },
  unchecked: { tone: "neutral", label: "not checked", meaning: "has not been listed since this backup was catalogued" },
};

export function ReplicaCopyBadge({ state }: { state: ReplicaCopyStatus }) {
  const view = REPLICA_COPY[state];
  return <Badge tone={view.tone}>{view.label}</Badge>;
}

/**
 * What each replica holds of a backup, small enough for a table cell: the replica's name and a
 * mark on screen, the whole sentence for screen readers and on hover.
 */
export function ReplicaCopyBadges({ replicas }: { replicas: readonly BackupReplicaView[] }) {
  return replicas.map((replica) => {
    const view = REPLICA_COPY[replica.state];
    const sentence = `Replica ${replica.label} ${view.meaning}.`;
    return (
      <span key={replica.name} title={sentence} data-replica={replica.name} data-copy-state={replica.state} className="max-w-full">
        <Badge tone={view.tone} className="max-w-full">
          <span aria-hidden className="max-w-32 min-w-0 truncate">
            {replica.name}
          </span>
          <span aria-hidden>{view.mark ?? view.label}</span>
          <span className="sr-only">{sentence}</span>
        </Badge>
      </span>
    );
  });
}
