import { Badge } from "@/components/ui/badge";
import { AddressText } from "@/components/ui/address-text";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { BackupDetail } from "@/lib/backups/get-backup";
import { formatBytes, plural } from "@/lib/format";
import { ReplicaCopyBadge } from "./backup-badges";

function StoreCell({ label, location }: { label: string; location: string | null }) {
  return (
    <Td wrap className="max-w-72 min-w-40">
      <div className="font-medium">{label}</div>
      {location && <AddressText value={location} className="text-xs text-muted" />}
    </Td>
  );
}

const orDash = (value: string | null) => value ?? "—";

/** Sizes that differ by a few bytes read alike rounded: then every row gives its exact count too. */
function Size({ bytes, exact }: { bytes: number | null; exact: boolean }) {
  if (bytes === null) return "—";
  return (
    <>
      {formatBytes(bytes)}
      {exact && <div className="text-xs text-muted">{plural(bytes, "byte")}</div>}
    </>
  );
}

/**
 * The backup where it is kept: the primary store's object, then what each replica's latest
 * listing found, with what differs from the primary when a copy is not exact.
 */
export function BackupCopiesTable({ copies, removed }: { copies: BackupDetail["copies"]; removed: boolean }) {
  const { primary } = copies;
  const exact = copies.replicas.some((copy) => copy.differences.includes("size"));
  return (
    <Table caption="Copies of this backup: the primary, then each replica" captionHidden embedded>
      <THead>
        <Tr>
          <Th>Store</Th>
          <Th>State</Th>
          <Th numeric>Size</Th>
          <Th>ETag</Th>
          <Th>Last modified</Th>
          <Th>Observed since</Th>
        </Tr>
      </THead>
      <TBody>
        <Tr data-copy="primary">
          <StoreCell label="Primary" location={primary.location} />
          <Td>{removed ? <Badge tone="danger">removed from the store</Badge> : <Badge tone="info">primary</Badge>}</Td>
          <Td numeric>
            <Size bytes={primary.size} exact={exact} />
          </Td>
          <Td mono>{orDash(primary.etag)}</Td>
          <Td>
            <Time value={primary.lastModified} />
          </Td>
          <Td>
            <Time value={primary.firstSeenAt} relative />
          </Td>
        </Tr>
        {copies.replicas.map((copy) => (
          <Tr key={copy.name} data-copy={copy.name} data-copy-state={copy.state}>
            <StoreCell label={copy.label} location={copy.location} />
            <Td>
              <ReplicaCopyBadge state={copy.state} />
              {copy.differences.length > 0 && <div className="text-xs text-muted">different {copy.differences.join(" and ")}</div>}
            </Td>
            <Td numeric className={copy.differences.includes("size") ? "font-medium text-warning-text" : undefined}>
              <Size bytes={copy.size} exact={exact} />
            </Td>
            <Td mono className={copy.differences.includes("ETag") ? "font-medium text-warning-text" : undefined}>
              {orDash(copy.etag)}
            </Td>
            <Td>{copy.lastModified ? <Time value={copy.lastModified} /> : "—"}</Td>
            <Td>{copy.observedAt ? <Time value={copy.observedAt} relative /> : "—"}</Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
