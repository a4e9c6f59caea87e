import { Badge, type Tone } from "@/components/ui/badge";

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
