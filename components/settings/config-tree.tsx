import type { ReactNode } from "react";
import { AddressText } from "@/components/ui/address-text";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function Leaf({ value }: { value: unknown }): ReactNode {
  if (value === null || value === undefined) return <span className="text-muted">—</span>;
  if (typeof value === "boolean") return <span className="font-mono">{value ? "true" : "false"}</span>;
  // Endpoints and paths wrap after a "/", never inside a port.
  return <AddressText value={String(value)} />;
}

/** A read-only view of nested configuration: keys on the left, values (or nested lists) on the right. */
export function ConfigTree({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="text-muted">none</span>;
    return (
      <ol className="space-y-2">
        {value.map((item, index) => (
          <li key={index} className="rounded-md border border-border p-2">
            <ConfigTree value={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (!isPlainObject(value)) return <Leaf value={value} />;
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-1.5 text-sm sm:grid-cols-[minmax(10rem,max-content)_1fr]">
      {Object.entries(value).map(([key, child]) => (
        <div key={key} className="contents">
          <dt className="text-muted">{key}</dt>
          <dd className="min-w-0">
            <ConfigTree value={child} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
