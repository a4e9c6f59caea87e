import { KeyRound } from "lucide-react";
import { AddressText } from "@/components/ui/address-text";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { formatUtc } from "@/lib/format";
import type { Fact, FactValue, SettingsSection } from "@/lib/settings/settings-view";

function Value({ value }: { value: FactValue }) {
  switch (value.kind) {
    case "text":
      return <>{value.text}</>;
    case "code":
      return <code className="font-mono text-xs [overflow-wrap:anywhere]">{value.text}</code>;
    case "address":
      return <AddressText value={value.text} className="text-xs" />;
    case "secret":
      // Where the secret comes from, and whether it is there: a missing one fails the restore that needs it.
      return (
        <span className="inline-flex flex-wrap items-center gap-x-2 gap-y-1">
          <KeyRound aria-hidden className="size-3.5 shrink-0 text-muted" />
          <AddressText value={value.source} className="text-xs" />
          {value.state && <Badge tone={value.available ? "success" : "warning"}>{value.state}</Badge>}
        </span>
      );
    case "time":
      return (
        <>
          <time dateTime={value.at} className="tabular-nums">
            {formatUtc(value.at, "minute")}
          </time>{" "}
          <span className="text-muted">
            (<Time value={value.at} relative />)
          </span>
        </>
      );
    case "unset":
      return <span className="text-muted">{value.text}</span>;
  }
}

/** Key/value facts in as many columns as fit: one on a phone. */
export function FactList({ facts }: { facts: Fact[] }) {
  if (facts.length === 0) return null;
  return (
    <dl className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,12rem),1fr))] gap-x-6 gap-y-3">
      {facts.map((fact) => (
        <div key={fact.term} className="min-w-0">
          <dt className="text-xs text-muted">{fact.term}</dt>
          <dd className="break-words">
            <Value value={fact.value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A section's note (what "Not configured" means) and its facts, under a heading the caller places. */
export function SectionFacts({ section }: { section: SettingsSection }) {
  return (
    <div className="space-y-3">
      {section.note && <p className="text-muted">{section.note}</p>}
      <FactList facts={section.facts} />
    </div>
  );
}
