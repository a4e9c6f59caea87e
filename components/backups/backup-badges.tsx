import Link from "next/link";
import { ShieldCheck } from "lucide-react";
import { Badge, type Tone } from "@/components/ui/badge";
import { formatUtc } from "@/lib/format";
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
